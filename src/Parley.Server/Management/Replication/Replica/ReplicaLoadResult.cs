namespace Parley.Server.Management.Replication.Replica;

/// <summary>What <see cref="ReplicaStore.Load"/> found on disk.</summary>
/// <param name="Snapshot">The newest committed revision that verifies; null = none (serve revision 0).</param>
/// <param name="CommittedRevision">What <c>current</c> names; null when it is missing or unreadable.</param>
/// <param name="FileTime">Last write of the loaded revision file: the apply time when status.json does not describe it.</param>
/// <param name="FellBack">True when the committed revision could not be used and an older one (or none) was loaded.</param>
public sealed record ReplicaLoadResult(VerifiedSnapshot? Snapshot, long? CommittedRevision, DateTimeOffset? FileTime, bool FellBack)
{
    public static ReplicaLoadResult Empty { get; } = new(null, null, null, false);
}
