namespace Parley.Server.Management.Replication.Replica;

public sealed record ReplicaApplierOptions
{
    /// <summary>This node's FQDN, reported to the master in <see cref="ReplicaStatusReport.Fqdn"/>.</summary>
    public required string NodeFqdn { get; init; }

    /// <summary>
    /// Bootstrap <c>cms.master</c>: who must have signed a snapshot while the held topology names no cms node.
    /// Null (and no cms node) = any node certificate the deployment CA issued.
    /// </summary>
    public string? BootstrapMaster { get; init; }

    /// <summary>This node's version, reported to the master (Lync's ProductVersion column).</summary>
    public string ProductVersion { get; init; } = Snapshots.ProductVersion.Current;

    /// <summary>
    /// No word from the master for this long raises the stale-replica warning (1043). The master polls every 10 s,
    /// so a few minutes means it is down or cut off, not merely slow.
    /// </summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromMinutes(5);
}
