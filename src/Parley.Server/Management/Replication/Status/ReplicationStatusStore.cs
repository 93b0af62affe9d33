using Parley.Server.Storage;

namespace Parley.Server.Management.Replication.Status;

/// <summary>
/// The master's <c>replication_status</c> and <c>replication_requests</c> tables in its <c>parley.db</c> (schema
/// version 4): written by the file transfer agent, read by <c>parley replication status</c>; requests are written by
/// <c>replication invoke</c> and taken (deleted) by the running master. UpToDate is not stored: it is the applied
/// revision compared with the store's latest when read.
/// </summary>
public sealed class ReplicationStatusStore(ParleyDatabase database)
{
    public Task UpsertAsync(ReplicaStatusRecord record, int? lastErrorEvent, CancellationToken cancellationToken)
        => database.WriteAsync("recording replication status", session => session.Execute(
            """
            INSERT INTO replication_status (fqdn, applied_revision, content_hash, last_status_report_ms, last_update_creation_ms, product_version,
                consecutive_failures, last_error, last_error_event, deleted)
            VALUES ($fqdn, $applied, $hash, $report, $creation, $version, $failures, $error, $event, $deleted)
            ON CONFLICT (fqdn) DO UPDATE SET applied_revision = excluded.applied_revision, content_hash = excluded.content_hash,
                last_status_report_ms = excluded.last_status_report_ms, last_update_creation_ms = excluded.last_update_creation_ms,
                product_version = excluded.product_version, consecutive_failures = excluded.consecutive_failures, last_error = excluded.last_error,
                last_error_event = excluded.last_error_event, deleted = excluded.deleted
            """,
            ("$fqdn", record.Fqdn), ("$applied", Math.Max(0, record.AppliedRevision)), ("$hash", record.ContentHash), ("$report", Stored(record.LastStatusReport)),
            ("$creation", Stored(record.LastUpdateCreation)), ("$version", record.ProductVersion), ("$failures", record.Failures), ("$error", record.LastError),
            ("$event", lastErrorEvent), ("$deleted", record.Deleted ? 1 : 0)), cancellationToken);

    public Task MarkDeletedAsync(string fqdn, CancellationToken cancellationToken)
        => database.WriteAsync("marking a replica deleted", session => session.Execute(
            "UPDATE replication_status SET deleted = 1 WHERE fqdn = $fqdn", ("$fqdn", fqdn)), cancellationToken);

    /// <summary>Every node the master replicates or replicated to; UpToDate against <paramref name="latestRevision"/>.</summary>
    public Task<IReadOnlyList<ReplicaStatusRecord>> ListAsync(long latestRevision, CancellationToken cancellationToken)
        => database.ReadAsync<IReadOnlyList<ReplicaStatusRecord>>("reading replication status", session => session.Query(
            """
            SELECT fqdn, applied_revision, content_hash, last_status_report_ms, last_update_creation_ms, product_version, consecutive_failures,
                last_error, last_error_event, deleted
            FROM replication_status ORDER BY fqdn
            """,
            reader => new ReplicaStatusRecord
            {
                Fqdn = reader.GetString(0),
                AppliedRevision = reader.GetInt64(1),
                LatestRevision = latestRevision,
                UpToDate = reader.GetInt64(1) == latestRevision && reader.GetInt64(9) == 0,
                ContentHash = reader.IsDBNull(2) ? null : reader.GetString(2),
                LastStatusReport = Time(reader, 3),
                LastUpdateCreation = Time(reader, 4),
                ProductVersion = reader.IsDBNull(5) ? null : reader.GetString(5),
                Failures = reader.GetInt32(6),
                LastError = reader.IsDBNull(7) ? null : reader.GetString(7),
                LastErrorEvent = reader.IsDBNull(8) ? null : reader.GetInt32(8),
                Deleted = reader.GetInt64(9) != 0,
            }), cancellationToken);

    /// <summary>Queues a full resend for the running master (<paramref name="replica"/> null = every node).</summary>
    public Task<long> RequestReplicationAsync(string? replica, string actor, DateTimeOffset at, CancellationToken cancellationToken)
        => database.WriteAsync("requesting replication", session =>
        {
            session.Execute("INSERT INTO replication_requests (fqdn, actor, requested_ms) VALUES ($fqdn, $actor, $at)",
                ("$fqdn", replica), ("$actor", actor), ("$at", StoredTime.ToStored(at)));
            return session.ScalarInt64("SELECT last_insert_rowid()");
        }, cancellationToken);

    /// <summary>Returns the pending requests and removes them, in one transaction (each is handled once).</summary>
    public Task<IReadOnlyList<ReplicationRequest>> TakePendingRequestsAsync(CancellationToken cancellationToken)
        => database.WriteAsync<IReadOnlyList<ReplicationRequest>>("taking replication requests", session =>
        {
            var pending = session.Query(
                "SELECT id, fqdn, actor, requested_ms FROM replication_requests ORDER BY id",
                reader => new ReplicationRequest(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), StoredTime.FromStored(reader.GetInt64(3))));
            if (pending.Count > 0)
            {
                session.Execute("DELETE FROM replication_requests WHERE id <= $last", ("$last", pending[^1].Id));
            }

            return pending;
        }, cancellationToken, reportFailure: false);

    private static object? Stored(DateTimeOffset? time) => time is { } t ? StoredTime.ToStored(t) : null;

    private static DateTimeOffset? Time(Microsoft.Data.Sqlite.SqliteDataReader reader, int column)
        => reader.IsDBNull(column) ? null : StoredTime.FromStored(reader.GetInt64(column));
}
