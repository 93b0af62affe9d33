using System.Text.Json;
using Parley.Server.Storage;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Roster;

/// <summary>Rosters in SQLite; each change bumps the owner's version in the same transaction (RFC 6121 §2.6 versioning).</summary>
public sealed class SqliteRosterStore(ParleyDatabase database, StoredJidCache? contacts = null) : IRosterStore
{
    private readonly StoredJidCache _contacts = contacts ?? new StoredJidCache();

    private const string Columns = "contact, name, groups_json, subscription, pending_out, pending_in, pre_approved, hidden";

    public Task<RosterSnapshot> GetAsync(Jid owner, CancellationToken cancellationToken)
    {
        var key = owner.Bare.ToString();
        return database.ReadAsync("reading a roster", session =>
        {
            var version = session.ScalarInt64("SELECT coalesce((SELECT version FROM roster_versions WHERE owner = $owner), 0)", ("$owner", key));
            var items = session.Query($"SELECT {Columns} FROM roster_items WHERE owner = $owner ORDER BY contact", ReadItem, ("$owner", key));
            return new RosterSnapshot(version, items);
        }, cancellationToken);
    }

    public ValueTask<RosterItem?> FindAsync(Jid owner, Jid contact, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var items = database.Read("reading a roster item", session => session.Query(
            $"SELECT {Columns} FROM roster_items WHERE owner = $owner AND contact = $contact", ReadItem,
            ("$owner", owner.Bare.ToString()), ("$contact", contact.ToString())));
        return ValueTask.FromResult(items.Count == 0 ? null : items[0]);
    }

    public Task<long> SaveAsync(Jid owner, RosterItem item, CancellationToken cancellationToken)
    {
        var key = owner.Bare.ToString();
        return database.WriteAsync("saving a roster item", session =>
        {
            session.Execute(
                $"""
                INSERT INTO roster_items (owner, {Columns}) VALUES ($owner, $contact, $name, $groups, $subscription, $pendingOut, $pendingIn, $preApproved, $hidden)
                ON CONFLICT (owner, contact) DO UPDATE SET name = excluded.name, groups_json = excluded.groups_json,
                    subscription = excluded.subscription, pending_out = excluded.pending_out, pending_in = excluded.pending_in,
                    pre_approved = excluded.pre_approved, hidden = excluded.hidden
                """,
                ("$owner", key), ("$contact", item.Contact.ToString()), ("$name", item.Name), ("$groups", JsonSerializer.Serialize(item.Groups)),
                ("$subscription", (int)item.Subscription), ("$pendingOut", item.PendingOut), ("$pendingIn", item.PendingIn),
                ("$preApproved", item.PreApproved), ("$hidden", item.Hidden));
            return BumpVersion(session, key);
        }, cancellationToken);
    }

    public Task<long> DeleteAsync(Jid owner, Jid contact, CancellationToken cancellationToken)
    {
        var key = owner.Bare.ToString();
        return database.WriteAsync("deleting a roster item", session =>
        {
            var deleted = session.Execute("DELETE FROM roster_items WHERE owner = $owner AND contact = $contact", ("$owner", key), ("$contact", contact.ToString()));
            return deleted == 0
                ? session.ScalarInt64("SELECT coalesce((SELECT version FROM roster_versions WHERE owner = $owner), 0)", ("$owner", key))
                : BumpVersion(session, key);
        }, cancellationToken);
    }

    private static long BumpVersion(SqliteSession session, string owner)
    {
        session.Execute("INSERT INTO roster_versions (owner, version) VALUES ($owner, 1) ON CONFLICT (owner) DO UPDATE SET version = version + 1", ("$owner", owner));
        return session.ScalarInt64("SELECT version FROM roster_versions WHERE owner = $owner", ("$owner", owner));
    }

    private RosterItem ReadItem(Microsoft.Data.Sqlite.SqliteDataReader reader) => new(
        _contacts.Parse(reader.GetString(0)),
        reader.IsDBNull(1) ? null : reader.GetString(1),
        ReadGroups(reader.GetString(2)),
        (Subscription)reader.GetInt32(3),
        reader.GetBoolean(4),
        reader.GetBoolean(5),
        reader.GetBoolean(6),
        reader.GetBoolean(7));

    /// <summary>Most contacts are in no group: they share the empty array instead of each holding one.</summary>
    private static string[] ReadGroups(string json) => json == "[]" ? [] : JsonSerializer.Deserialize<string[]>(json) ?? [];
}
