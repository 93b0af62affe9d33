using Parley.Server.Storage;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Messaging;

/// <summary>Offline messages in SQLite, oldest first; the count check and the insert share one write transaction.</summary>
public sealed class SqliteOfflineStore(ParleyDatabase database, TimeProvider time) : IOfflineStore
{
    public Task<bool> TryEnqueueAsync(Jid owner, string stanzaXml, int maxPerUser, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPerUser);
        var key = owner.Bare.ToString();
        return database.WriteAsync("storing an offline message", session =>
        {
            if (session.ScalarInt64("SELECT count(*) FROM offline_messages WHERE owner = $owner", ("$owner", key)) >= maxPerUser)
            {
                return false;
            }

            session.Execute("INSERT INTO offline_messages (owner, stored_ms, stanza) VALUES ($owner, $stored, $stanza)",
                ("$owner", key), ("$stored", StoredTime.ToStored(time.GetUtcNow())), ("$stanza", stanzaXml));
            return true;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<OfflineMessage>> PeekAsync(Jid owner, CancellationToken cancellationToken)
        => database.ReadAsync<IReadOnlyList<OfflineMessage>>("reading offline messages", session => session.Query(
            "SELECT id, stored_ms, stanza FROM offline_messages WHERE owner = $owner ORDER BY id",
            reader => new OfflineMessage(reader.GetInt64(0), StoredTime.FromStored(reader.GetInt64(1)), reader.GetString(2)),
            ("$owner", owner.Bare.ToString())), cancellationToken);

    public Task RemoveAsync(Jid owner, long upToId, CancellationToken cancellationToken)
        => database.WriteAsync("deleting delivered offline messages", session => session.Execute(
            "DELETE FROM offline_messages WHERE owner = $owner AND id <= $upTo", ("$owner", owner.Bare.ToString()), ("$upTo", upToId)), cancellationToken);
}
