using Parley.Server.Configuration;

namespace Parley.Server.Management.Documents;

/// <summary>
/// The published topology (Lync's term): sites, the pools in them, the nodes of each pool and which pool each user
/// is homed on. The CMS master pushes every snapshot to every node listed here.
/// </summary>
public sealed record Topology
{
    public IReadOnlyList<Site> Sites { get; init; } = [];

    public IReadOnlyList<Pool> Pools { get; init; } = [];

    public IReadOnlyList<TopologyNode> Nodes { get; init; } = [];

    /// <summary>Which pool users are homed on: explicit users first, then by domain, then <see cref="UserHoming.DefaultPool"/>.</summary>
    public UserHoming Homing { get; init; } = new();
}

public sealed record Site(string Name, string? Description = null);

public sealed record Pool(string Fqdn, string Site);

/// <summary>One server. <see cref="Fqdn"/> must be the subject or a SAN of the certificate it presents.</summary>
public sealed record TopologyNode
{
    public required string Fqdn { get; init; }

    /// <summary>The address other nodes (and the CMS file transfer agent) reach this node on.</summary>
    public required string Ip { get; init; }

    public required string Pool { get; init; }

    public NodeRole Roles { get; init; } = NodeRole.Frontend;

    public NodeListeners Listeners { get; init; } = new();
}

/// <summary>Ports of one node; 0 = not listening. Two listeners of one node may not share a port (UDP and TCP SIP share <see cref="Sip"/>).</summary>
public sealed record NodeListeners
{
    public int Xmpp { get; init; } = 5222;

    public int Sip { get; init; } = 5060;

    public int SipTls { get; init; } = 5062;

    /// <summary>Mutual-TLS SIP for federation peers and the routing node (issue 5).</summary>
    public int SipPeerTls { get; init; }

    /// <summary>The replica replicator agent (HTTPS, mutual TLS) the CMS pushes snapshots to.</summary>
    public int ReplicaAgent { get; init; } = 4443;

    public int Admin { get; init; } = 8443;
}

public sealed record UserHoming
{
    public string? DefaultPool { get; init; }

    /// <summary>Domain → pool FQDN.</summary>
    public IReadOnlyDictionary<string, string> Domains { get; init; } = new Dictionary<string, string>();

    /// <summary>Bare JID → pool FQDN.</summary>
    public IReadOnlyDictionary<string, string> Users { get; init; } = new Dictionary<string, string>();
}
