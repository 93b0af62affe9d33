using Parley.Server.Storage;

namespace Parley.Server.Diagnostics;

/// <summary>The events table: batched inserts from <see cref="EventLog"/>'s writer, and queries for the CLI and API.</summary>
public sealed class SqliteEventStore(ParleyDatabase database, int maxStoredEvents)
{
    /// <summary>Inserts one batch in one transaction. Failures are not re-raised as events (that would loop).</summary>
    public Task InsertAsync(IReadOnlyList<EventRecord> batch, CancellationToken cancellationToken)
        => database.WriteAsync("storing events", session =>
        {
            foreach (var record in batch)
            {
                session.Execute(
                    "INSERT INTO events (id, source, level, time_ms, message, cause, resolution, node) VALUES ($id, $source, $level, $time, $message, $cause, $resolution, $node)",
                    ("$id", record.Id), ("$source", record.Source), ("$level", (int)record.Level), ("$time", StoredTime.ToStored(record.Time)),
                    ("$message", record.Message), ("$cause", record.Cause), ("$resolution", record.Resolution), ("$node", record.Node));
            }

            // Retention in the same transaction: the table never holds more than the limit.
            session.Execute("DELETE FROM events WHERE sequence <= (SELECT MAX(sequence) FROM events) - $keep", ("$keep", maxStoredEvents));
            return batch.Count;
        }, cancellationToken, reportFailure: false);

    /// <summary>Newest first.</summary>
    public Task<IReadOnlyList<EventRecord>> QueryAsync(int? id, DateTimeOffset? since, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return database.ReadAsync<IReadOnlyList<EventRecord>>("reading events", session => session.Query(
            """
            SELECT sequence, id, source, level, time_ms, message, cause, resolution, node FROM events
            WHERE ($id IS NULL OR id = $id) AND ($since IS NULL OR time_ms >= $since)
            ORDER BY sequence DESC LIMIT $limit
            """,
            reader => new EventRecord(
                reader.GetInt64(0), reader.GetInt32(1), reader.GetString(2), (EventLevel)reader.GetInt32(3),
                StoredTime.FromStored(reader.GetInt64(4)), reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetString(8)),
            ("$id", id), ("$since", since is { } s ? StoredTime.ToStored(s) : null), ("$limit", limit)), cancellationToken);
    }
}
