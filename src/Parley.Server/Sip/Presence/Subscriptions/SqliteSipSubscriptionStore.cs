using System.Net;
using Microsoft.Data.Sqlite;
using Parley.Server.Sip.Registrar;
using Parley.Server.Storage;
using Parley.Sip.Messages;
using Parley.Sip.Transport;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Sip.Presence.Subscriptions;

/// <summary>Subscriptions in the <c>sip_subscriptions</c> table (schema migration 3), one row per dialog.</summary>
public sealed class SqliteSipSubscriptionStore(ParleyDatabase database) : ISipSubscriptionStore
{
    private const string Columns =
        "id, watcher, presentity, call_id, local_tag, remote_tag, local_cseq, remote_cseq, local_party, remote_party, "
        + "remote_target, route_set, secure, transport, remote, local, accept, event_id, expires_ms";

    public Task<RestoredSubscriptions> LoadAsync(DateTimeOffset now, CancellationToken cancellationToken)
        => database.WriteAsync("loading SIP presence subscriptions", session =>
        {
            var expired = session.Execute("DELETE FROM sip_subscriptions WHERE expires_ms <= $now", ("$now", StoredTime.ToStored(now)));
            var rows = session.Query($"SELECT {Columns} FROM sip_subscriptions ORDER BY presentity, id", TryRead);

            // A row that no longer parses (damaged, older format) is skipped: the watcher subscribes again at its refresh.
            return new RestoredSubscriptions(rows.OfType<SipSubscription>().ToArray(), expired);
        }, cancellationToken);

    public Task SaveAsync(SipSubscription subscription, CancellationToken cancellationToken)
    {
        var dialog = subscription.Dialog;
        var localSequence = dialog.LocalSequence;
        return database.WriteAsync($"saving the SIP presence subscription of {subscription.Watcher} to {subscription.Presentity}", session =>
            session.Execute(
                $"""
                INSERT OR REPLACE INTO sip_subscriptions ({Columns})
                VALUES ($id, $watcher, $presentity, $call, $ltag, $rtag, $lseq, $rseq, $lparty, $rparty, $target, $routes, $secure,
                        $transport, $remote, $local, $accept, $event, $expires)
                """,
                ("$id", subscription.Id), ("$watcher", subscription.Watcher.ToString()), ("$presentity", subscription.Presentity.ToString()),
                ("$call", dialog.CallId), ("$ltag", dialog.LocalTag), ("$rtag", dialog.RemoteTag),
                ("$lseq", (long)localSequence), ("$rseq", (long)dialog.RemoteSequence),
                ("$lparty", dialog.LocalParty.ToString()), ("$rparty", dialog.RemoteParty.ToString()), ("$target", dialog.RemoteTarget.ToString()),
                ("$routes", string.Join('\n', dialog.RouteSet.Select(r => r.ToString()))), ("$secure", dialog.IsSecure),
                ("$transport", subscription.Flow.Transport.ToString()), ("$remote", subscription.Flow.Remote.ToString()),
                ("$local", subscription.Flow.Local.ToString()), ("$accept", subscription.Accept), ("$event", subscription.EventId),
                ("$expires", StoredTime.ToStored(subscription.Expires))), cancellationToken);
    }

    public Task DeleteAsync(string id, CancellationToken cancellationToken)
        => database.WriteAsync("deleting a SIP presence subscription", session =>
            session.Execute("DELETE FROM sip_subscriptions WHERE id = $id", ("$id", id)), cancellationToken);

    private static SipSubscription? TryRead(SqliteDataReader reader)
    {
        var routes = new List<NameAddress>();
        foreach (var text in reader.GetString(11).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!NameAddress.TryParse(text, out var route))
            {
                return null;
            }

            routes.Add(route);
        }

        if (!Jid.TryParse(reader.GetString(1), out var watcher) || !Jid.TryParse(reader.GetString(2), out var presentity)
            || !NameAddress.TryParse(reader.GetString(8), out var localParty) || !NameAddress.TryParse(reader.GetString(9), out var remoteParty)
            || !SipUri.TryParse(reader.GetString(10), out var target)
            || !Enum.TryParse<SipTransportKind>(reader.GetString(13), out var transport)
            || !IPEndPoint.TryParse(reader.GetString(14), out var remote) || !IPEndPoint.TryParse(reader.GetString(15), out var local)
            || reader.GetInt64(6) is < 0 or > uint.MaxValue || reader.GetInt64(7) is < 0 or > uint.MaxValue
            || reader.GetString(3).Length == 0 || reader.GetString(4).Length == 0 || reader.GetString(5).Length == 0)
        {
            return null;
        }

        var dialog = new SubscriptionDialog(reader.GetString(3), reader.GetString(4), reader.GetString(5), (uint)reader.GetInt64(6), (uint)reader.GetInt64(7),
            localParty, remoteParty, target, routes, reader.GetBoolean(12));
        return new SipSubscription(reader.GetString(0), watcher, presentity, dialog, new SipFlow(transport, remote, local),
            reader.IsDBNull(16) ? null : reader.GetString(16), reader.IsDBNull(17) ? null : reader.GetString(17), StoredTime.FromStored(reader.GetInt64(18)))
        {
            StoredLocalSequence = (uint)reader.GetInt64(6),
        };
    }
}
