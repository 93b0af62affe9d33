namespace Parley.Server.Configuration;

/// <summary>Command-line values that win over the bootstrap file; null = not given.</summary>
public sealed record BootstrapOverrides
{
    public string? DataDirectory { get; init; }

    public string? Domain { get; init; }

    public string? BindAddress { get; init; }

    public string? Fqdn { get; init; }

    public int? XmppPort { get; init; }

    public int? AdminPort { get; init; }

    /// <summary>SIP UDP+TCP port; 0 disables.</summary>
    public int? SipPort { get; init; }

    /// <summary>SIP TLS (server auth) port; 0 disables.</summary>
    public int? SipsPort { get; init; }

    /// <summary>Replica agent (HTTPS, mutual TLS) port; 0 disables.</summary>
    public int? ReplicaAgentPort { get; init; }
}
