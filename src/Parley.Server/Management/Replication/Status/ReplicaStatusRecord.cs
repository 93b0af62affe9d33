namespace Parley.Server.Management.Replication.Status;

/// <summary>
/// What the master knows of one replica (Get-CsManagementStoreReplicationStatus's row): UpToDate = the applied
/// revision is the master's latest; LastStatusReport = when the node last answered; LastUpdateCreation = when the
/// revision it holds was created on the master.
/// </summary>
public sealed record ReplicaStatusRecord
{
    public required string Fqdn { get; init; }

    /// <summary>ip:port, or "in process" for the master itself (the agent's view; not stored).</summary>
    public string? Address { get; init; }

    public bool UpToDate { get; init; }

    public long AppliedRevision { get; init; }

    public long LatestRevision { get; init; }

    public string? ContentHash { get; init; }

    public DateTimeOffset? LastStatusReport { get; init; }

    public DateTimeOffset? LastUpdateCreation { get; init; }

    /// <summary>When the node applied the revision it holds (the agent's view; not stored).</summary>
    public DateTimeOffset? AppliedAt { get; init; }

    public string? ProductVersion { get; init; }

    /// <summary>Consecutive failed pushes or polls; 0 when the last one worked.</summary>
    public int Failures { get; init; }

    public string? LastError { get; init; }

    /// <summary>The event raised for the current fault (1015, 1017, 1034 …); null when the last attempt worked.</summary>
    public int? LastErrorEvent { get; init; }

    public DateTimeOffset? LastErrorAt { get; init; }

    /// <summary>Removed from the topology: kept for `replication status --cms` (deleted replicas), no longer replicated to.</summary>
    public bool Deleted { get; init; }

    /// <summary>When the agent last updated this record (not stored).</summary>
    public DateTimeOffset? Updated { get; init; }
}

/// <summary>A pending `parley replication invoke`: <see cref="Replica"/> null = every node.</summary>
public sealed record ReplicationRequest(long Id, string? Replica, string Actor, DateTimeOffset Requested);
