namespace Parley.Server.Management.Replication.Replica;

/// <summary>
/// <c>xds-replica/status.json</c>: what is not in the snapshot itself — when it was applied, where it came from,
/// when the master was last heard from (so staleness survives a restart) and the last error.
/// </summary>
public sealed record ReplicaStatusFile
{
    /// <summary>The revision the apply fields describe (may lag <c>current</c> after a crash between the two writes).</summary>
    public long Revision { get; init; }

    public string? ContentHash { get; init; }

    /// <summary>When the master created the snapshot (Lync's LastUpdateCreation).</summary>
    public DateTimeOffset? LastUpdateCreation { get; init; }

    public string? Master { get; init; }

    public DateTimeOffset? AppliedAt { get; init; }

    public string? ReceivedFrom { get; init; }

    public DateTimeOffset? LastMasterContact { get; init; }

    public string? LastError { get; init; }

    public DateTimeOffset? LastErrorAt { get; init; }
}
