using Parley.Server.Storage;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Federation.Outbound;

/// <summary>
/// The presence subscriptions local users hold to peer users (table <c>federation_subscriptions</c>, schema
/// migration 5): only the pair is kept, because after a restart each one is established again with a new SUBSCRIBE.
/// </summary>
public sealed class OutboundSubscriptionStore(ParleyDatabase database, TimeProvider time)
{
    /// <summary>Every stored pair; a row that no longer parses is skipped (the user subscribes again from the roster).</summary>
    public Task<IReadOnlyList<(Jid Local, Jid Remote)>> LoadAsync(CancellationToken cancellationToken)
        => database.ReadAsync<IReadOnlyList<(Jid, Jid)>>("loading federation presence subscriptions", session =>
            session.Query("SELECT local_user, remote_user FROM federation_subscriptions ORDER BY local_user, remote_user", Read)
                .OfType<(Jid, Jid)>()
                .ToArray(), cancellationToken);

    public Task SaveAsync(Jid local, Jid remote, CancellationToken cancellationToken)
        => database.WriteAsync("saving a federation presence subscription", session =>
            session.Execute("INSERT OR IGNORE INTO federation_subscriptions (local_user, remote_user, created_ms) VALUES ($l, $r, $t)",
                ("$l", local.Bare.ToString()), ("$r", remote.Bare.ToString()), ("$t", StoredTime.ToStored(time.GetUtcNow()))), cancellationToken);

    public Task DeleteAsync(Jid local, Jid remote, CancellationToken cancellationToken)
        => database.WriteAsync("deleting a federation presence subscription", session =>
            session.Execute("DELETE FROM federation_subscriptions WHERE local_user = $l AND remote_user = $r",
                ("$l", local.Bare.ToString()), ("$r", remote.Bare.ToString())), cancellationToken);

    private static (Jid, Jid)? Read(Microsoft.Data.Sqlite.SqliteDataReader reader)
        => Jid.TryParse(reader.GetString(0), out var local) && Jid.TryParse(reader.GetString(1), out var remote) ? (local, remote) : null;
}
