using Parley.Server.Configuration;
using Parley.Server.Management.Documents;

namespace Parley.Server.Management.Replication.Transfer;

/// <summary>
/// Which node is the CMS master, as this node sees it: the <c>cms</c> node of the topology in its current replica,
/// else the bootstrap key <c>cms.master</c>, else this node itself (the single-node default).
/// </summary>
public sealed class CmsMasterLocator(string localFqdn, string? bootstrapMaster, Func<Topology?> currentTopology)
{
    public string LocalFqdn { get; } = localFqdn;

    public string? BootstrapMaster { get; } = bootstrapMaster;

    public string Current => FromTopology(currentTopology()) ?? BootstrapMaster ?? LocalFqdn;

    public bool IsLocal => string.Equals(Current, LocalFqdn, StringComparison.OrdinalIgnoreCase);

    /// <summary>The first node with the cms role (the validator allows one).</summary>
    public static string? FromTopology(Topology? topology)
        => topology?.Nodes.FirstOrDefault(node => node.Roles.HasFlag(NodeRole.Cms))?.Fqdn;
}
