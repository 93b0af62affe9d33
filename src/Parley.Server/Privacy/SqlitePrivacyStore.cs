using Parley.Server.Storage;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Privacy;

/// <summary>Allow and block lists in SQLite, one row per entry.</summary>
public sealed class SqlitePrivacyStore(ParleyDatabase database) : IPrivacyStore
{
    public Task<IReadOnlyList<Jid>> GetAsync(Jid owner, PrivacyListKind list, CancellationToken cancellationToken)
        => database.ReadAsync<IReadOnlyList<Jid>>("reading a privacy list", session => session.Query(
            "SELECT entry FROM privacy_entries WHERE owner = $owner AND list = $list ORDER BY entry",
            reader => StoredJid.Parse(reader.GetString(0)), ("$owner", owner.Bare.ToString()), ("$list", (int)list)), cancellationToken);

    public Task AddAsync(Jid owner, PrivacyListKind list, IReadOnlyCollection<Jid> entries, CancellationToken cancellationToken)
        => database.WriteAsync("adding to a privacy list", session =>
        {
            foreach (var entry in entries)
            {
                session.Execute("INSERT OR IGNORE INTO privacy_entries (owner, list, entry) VALUES ($owner, $list, $entry)",
                    ("$owner", owner.Bare.ToString()), ("$list", (int)list), ("$entry", entry.ToString()));
            }

            return entries.Count;
        }, cancellationToken);

    public Task RemoveAsync(Jid owner, PrivacyListKind list, IReadOnlyCollection<Jid>? entries, CancellationToken cancellationToken)
        => database.WriteAsync("removing from a privacy list", session =>
        {
            if (entries is null)
            {
                return session.Execute("DELETE FROM privacy_entries WHERE owner = $owner AND list = $list", ("$owner", owner.Bare.ToString()), ("$list", (int)list));
            }

            var removed = 0;
            foreach (var entry in entries)
            {
                removed += session.Execute("DELETE FROM privacy_entries WHERE owner = $owner AND list = $list AND entry = $entry",
                    ("$owner", owner.Bare.ToString()), ("$list", (int)list), ("$entry", entry.ToString()));
            }

            return removed;
        }, cancellationToken);
}
