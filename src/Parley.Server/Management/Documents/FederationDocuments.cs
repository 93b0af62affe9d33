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
    Basic,
    Advanced,
}

/// <summary>
/// A static route: requests whose Request-URI domain matches <see cref="Pattern"/> (a domain, or <c>*.domain</c>)
/// go to <see cref="NextHop"/>:<see cref="Port"/> over <see cref="Transport"/>.
/// </summary>
public sealed record StaticRoute(string Pattern, string NextHop, int Port, string Transport = "tls", string? Description = null);

/// <summary>An incoming ACL entry: a peer address (IP or CIDR) trusted to send SIP without digest (seed 003 trusted hosts).</summary>
public sealed record AclEntry(string Address, string? Description = null);

/// <summary>A TLS listener: a node's port and what the peer must present.</summary>
public sealed record TlsListener(string Node, int Port, bool MutualTls, string? Description = null);

/// <summary>A TLS peer subject: the certificate subject or SAN a federation peer must present on mutual TLS.</summary>
public sealed record TlsPeerSubject(string Subject, string? Description = null);
