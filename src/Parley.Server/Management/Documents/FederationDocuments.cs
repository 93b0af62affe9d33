namespace Parley.Server.Management.Documents;

/// <summary>Partitioned intradomain federation (seed 003): off until enabled; Basic or Advanced routing mode.</summary>
public sealed record FederationOptions
{
    public bool Enabled { get; init; }

    public FederationRoutingMode RoutingMode { get; init; } = FederationRoutingMode.Basic;

    /// <summary>The pool or node FQDN that routes federation traffic (the peer's static route points at it).</summary>
    public string? RoutingNode { get; init; }
}

public enum FederationRoutingMode
{
    /// <summary>A recipient in a shared domain who is not a local user goes to the peer (the seed's default).</summary>
    Basic,

    /// <summary>Only recipients whose peer SIP address the directory holds go to the peer.</summary>
    Advanced,
}

/// <summary>
/// A static route (seed 003 ch.5 §4). <see cref="Pattern"/> is stored in the seed's reversed form
/// (<see cref="StaticRoutePattern"/>): <c>.com.example.*</c> for the domain example.com and its hosts, or an exact host
/// <c>.com.example.lyncserver</c>; for <see cref="StaticRouteType.User"/> routes it matches the user part instead.
/// Several routes may share a pattern: <see cref="Priority"/> 1 is the primary, higher numbers are backups used only
/// while every route with a lower number has an unreachable next hop.
/// </summary>
public sealed record StaticRoute(string Pattern, string NextHop, int Port, string Transport = "tls", string? Description = null)
{
    public int Priority { get; init; } = 1;

    public StaticRouteType RouteType { get; init; } = StaticRouteType.Domain;

    /// <summary>How IM goes over this route: session mode (INVITE + in-dialog MESSAGE/INFO) for Lync/OCS-like peers, page mode otherwise.</summary>
    public PeerFlavour Flavour { get; init; } = PeerFlavour.Lync;
}

public enum StaticRouteType
{
    Domain,
    User,
}

public enum PeerFlavour
{
    /// <summary>Lync, OCS or another peer that expects session-mode IM (seed 003 §3).</summary>
    Lync,

    /// <summary>A generic SIP server: page-mode MESSAGE (RFC 3428).</summary>
    Generic,
}

/// <summary>
/// An incoming ACL entry: a source trusted to send SIP without digest (seed 003 ch.5 §5). <see cref="Address"/> is
/// <c>all</c>, an IP address, a network in CIDR form, or a DNS name. A name matches a source whose address one of the
/// name's A/AAAA records gives (an FQDN entry), or whose reverse DNS name is the name or ends with "." + name
/// (a domain entry).
/// </summary>
public sealed record AclEntry(string Address, string? Description = null)
{
    public const string All = "all";
}

/// <summary>
/// A SIP TLS listener of a node. <see cref="MutualTls"/> true is the peer-auth listener (mutual TLS, federation peers
/// and the routing node, 5061 by convention); false is server auth (SIP clients, 5062).
/// </summary>
public sealed record TlsListener(string Node, int Port, bool MutualTls, string? Description = null);

/// <summary>A TLS peer subject: a certificate subject common name (CN, not a SAN) a federation peer may present on mutual TLS.</summary>
public sealed record TlsPeerSubject(string Subject, string? Description = null);

/// <summary>
/// A SIP federation domain (seed 003 ch.9): a remote domain reached through the peer's own interdomain federation.
/// Requests for it go out by the static route matching it, which points at the peer.
/// </summary>
public sealed record SipFederationDomain(string Domain, string? Description = null);
