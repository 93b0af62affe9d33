namespace Parley.Server.Management.Replication.Replica;

/// <summary>
/// What this node holds, for <c>parley replication status</c> on a node that is not the master: the revision, when
/// it was applied, when the master was last heard from and how stale that is now.
/// </summary>
public sealed record LocalReplicaStatus(
    string StorePath,
    long Revision,
    string? ContentHash,
    string? Master,
    DateTimeOffset? LastUpdateCreation,
    DateTimeOffset? AppliedAt,
    string? ReceivedFrom,
    DateTimeOffset? LastMasterContact,
    TimeSpan? Staleness,
    string? LastError,
    DateTimeOffset? LastErrorAt)
{
    public bool IsStale(TimeSpan limit) => Staleness is { } staleness && staleness > limit;
}
