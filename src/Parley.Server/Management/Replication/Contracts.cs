using Parley.Server.Management.Documents;

namespace Parley.Server.Management.Replication;

// The seams between the three parts of replication (see docs/design/cms.md): the master's store and snapshot
// format, the replica's on-disk store, and the transfer between them. Each part owns its files; these types are
// the contract.

/// <summary>A signed snapshot as it travels and as it is stored: the exact bytes of the snapshot file.</summary>
public sealed record SignedSnapshot(long Revision, DateTimeOffset Created, string MasterFqdn, string ContentHash, ReadOnlyMemory<byte> Bytes);

/// <summary>A snapshot whose hash, signature and signer were checked: safe to apply.</summary>
public sealed record VerifiedSnapshot(SignedSnapshot Signed, DeploymentConfiguration Configuration, string ProductVersion);

/// <summary>Why a snapshot was refused. Never applied; the replica keeps its current revision.</summary>
public enum SnapshotRejection
{
    Malformed,
    Truncated,
    HashMismatch,
    BadSignature,
    UntrustedSigner,
    NotTheMaster,
    OlderRevision,
}

public sealed class SnapshotRejectedException(SnapshotRejection reason, string detail) : Exception($"Snapshot rejected ({reason}): {detail}")
{
    public SnapshotRejection Reason { get; } = reason;

    public string Detail { get; } = detail;
}

/// <summary>Who may sign snapshots: certificates chaining to the deployment CA whose subject or SAN is the master's FQDN.</summary>
public interface ISnapshotVerifier
{
    /// <summary>Checks the bytes; throws <see cref="SnapshotRejectedException"/>. <paramref name="expectedMaster"/> null = any node the CA issued.</summary>
    VerifiedSnapshot Verify(ReadOnlyMemory<byte> bytes, string? expectedMaster);
}

/// <summary>Master side: the signed snapshot of the store's latest revision (built once per revision and cached).</summary>
public interface ISnapshotSource
{
    Task<SignedSnapshot> LatestAsync(CancellationToken cancellationToken);

    /// <summary>Raised after the store moved to a new revision (the master replicator then pushes it).</summary>
    event Action<long>? RevisionCommitted;
}

/// <summary>What a replica reports to the master after each push and on each status poll (Get-CsManagementStoreReplicationStatus's columns).</summary>
public sealed record ReplicaStatusReport(
    string Fqdn,
    long AppliedRevision,
    string? ContentHash,
    DateTimeOffset? LastUpdateCreation,
    DateTimeOffset? AppliedAt,
    string ProductVersion,
    string? Error);

/// <summary>The replica replicator agent's local side (every node, the master included).</summary>
public interface IReplicaApplier
{
    /// <summary>
    /// Verifies and applies atomically, then hot-reloads the node. Throws <see cref="SnapshotRejectedException"/>
    /// (event raised, nothing applied) or <see cref="ReplicaStoreAccessDeniedException"/> (event 1034 raised).
    /// Applying the revision already held is a no-op that still reports status.
    /// </summary>
    Task<ReplicaStatusReport> ApplyAsync(ReadOnlyMemory<byte> snapshot, string receivedFrom, CancellationToken cancellationToken);

    ReplicaStatusReport Status { get; }

    /// <summary>The master was heard from (a push or a status poll): staleness counts from here.</summary>
    void RecordMasterContact(DateTimeOffset at);

    DateTimeOffset? LastMasterContact { get; }
}

/// <summary>The replica store under &lt;data&gt;/xds-replica cannot be written: path, the account the node runs as, and what is missing.</summary>
public sealed class ReplicaStoreAccessDeniedException(string path, string account, string missingPermission, Exception inner)
    : Exception($"Access denied on the replica store {path} for account {account}: {missingPermission} permission missing.", inner)
{
    public string Path { get; } = path;

    public string Account { get; } = account;

    public string MissingPermission { get; } = missingPermission;
}
