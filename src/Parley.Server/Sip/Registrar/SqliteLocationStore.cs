using System.Net;
using Parley.Server.Storage;
using Parley.Sip.Messages;
using Parley.Sip.Transport;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Sip.Registrar;

/// <summary>Bindings in the <c>sip_bindings</c> table (schema migration 2), one row per (user, contact).</summary>
public sealed class SqliteLocationStore(ParleyDatabase database) : ILocationStore
{
    public Task<IReadOnlyList<Binding>> LoadAsync(DateTimeOffset now, CancellationToken cancellationToken)
        => database.WriteAsync<IReadOnlyList<Binding>>("loading SIP registrations", session =>
        {
            session.Execute("DELETE FROM sip_bindings WHERE expires_ms <= $now", ("$now", StoredTime.ToStored(now)));
            var rows = session.Query(
                "SELECT aor, contact, call_id, cseq, expires_ms, q, transport, remote, local, user_agent FROM sip_bindings ORDER BY aor, contact",
                reader => TryRead(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4),
                    reader.IsDBNull(5) ? null : reader.GetDouble(5), reader.GetString(6), reader.GetString(7), reader.GetString(8),
                    reader.IsDBNull(9) ? null : reader.GetString(9)));
            // A row that no longer parses (damaged, older format) is skipped: the client re-registers anyway.
            return rows.OfType<Binding>().ToArray();
        }, cancellationToken);

    public Task ReplaceAsync(Jid user, IReadOnlyList<Binding> bindings, CancellationToken cancellationToken)
    {
        var aor = user.Bare.ToString();
        return database.WriteAsync($"saving SIP registrations of {aor}", session =>
        {
            session.Execute("DELETE FROM sip_bindings WHERE aor = $aor", ("$aor", aor));
            using var insert = session.Command(
                """
                INSERT INTO sip_bindings (aor, contact, call_id, cseq, expires_ms, q, transport, remote, local, user_agent)
                VALUES ($aor, $contact, $call, $cseq, $expires, $q, $transport, $remote, $local, $agent)
                """,
                ("$aor", aor), ("$contact", ""), ("$call", ""), ("$cseq", 0L), ("$expires", 0L), ("$q", null), ("$transport", ""),
                ("$remote", ""), ("$local", ""), ("$agent", null));
            foreach (var binding in bindings)
            {
                insert.Parameters["$contact"].Value = binding.ContactKey;
                insert.Parameters["$call"].Value = binding.CallId;
                insert.Parameters["$cseq"].Value = (long)binding.CSeq;
                insert.Parameters["$expires"].Value = StoredTime.ToStored(binding.Expires);
                insert.Parameters["$q"].Value = binding.Q is { } q ? q : DBNull.Value;
                insert.Parameters["$transport"].Value = binding.Flow.Transport.ToString();
                insert.Parameters["$remote"].Value = binding.Flow.Remote.ToString();
                insert.Parameters["$local"].Value = binding.Flow.Local.ToString();
                insert.Parameters["$agent"].Value = (object?)binding.UserAgent ?? DBNull.Value;
                insert.ExecuteNonQuery();
            }

            return bindings.Count;
        }, cancellationToken);
    }

    private static Binding? TryRead(string aor, string contact, string callId, long cseq, long expires, double? q, string transport, string remote, string local, string? userAgent)
        => Jid.TryParse(aor, out var user)
           && SipUri.TryParse(contact, out var uri)
           && Enum.TryParse<SipTransportKind>(transport, out var kind)
           && IPEndPoint.TryParse(remote, out var remoteEndPoint)
           && IPEndPoint.TryParse(local, out var localEndPoint)
           && cseq is >= 0 and <= uint.MaxValue
            ? new Binding(user, uri, callId, (uint)cseq, StoredTime.FromStored(expires), q, new SipFlow(kind, remoteEndPoint, localEndPoint), userAgent)
            : null;
}
