namespace Parley.Server.Management.Cms;

/// <summary>
/// Whether this node's store is the CMS master. A running node passes its bootstrap role (cms.master); the store
/// records it in parley.db so the CLI, which opens the same data directory without the bootstrap file, refuses
/// changes on a replica too (<c>ParleyStoreOptions.Cms</c> null = use the recorded role).
/// </summary>
public sealed record CmsOptions
{
    /// <summary>The master's FQDN when this node is not the master (bootstrap cms.master); null = this node is the master.</summary>
    public string? MasterFqdn { get; init; }

    public bool IsMaster => MasterFqdn is null;

    public static CmsOptions Master { get; } = new();

    public static CmsOptions ReplicaOf(string masterFqdn) => new() { MasterFqdn = masterFqdn };
}
