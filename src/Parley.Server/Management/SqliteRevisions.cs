using Parley.Server.Storage;

namespace Parley.Server.Management;

/// <summary>Writes the revision row that goes with every deployment change, inside the change's own transaction.</summary>
internal static class SqliteRevisions
{
    public static long Record(SqliteSession session, DateTimeOffset time, string actor, string description)
    {
        session.Execute("INSERT INTO revisions (time_ms, actor, description) VALUES ($time, $actor, $description)",
            ("$time", StoredTime.ToStored(time)), ("$actor", actor), ("$description", description));
        return session.ScalarInt64("SELECT last_insert_rowid()");
    }

    public static long Latest(SqliteSession session) => session.ScalarInt64("SELECT coalesce(max(revision), 0) FROM revisions");
}
