using System.Net;

namespace Parley.Server.Configuration;

/// <summary>
/// What one node needs to start: the validated bootstrap file merged with command-line overrides.
/// Deployment settings (domains, users, presence policy) live in the store, not here.
/// </summary>
public sealed record NodeOptions
{
    public const int DefaultXmppPort = 5222;
    public const int DefaultAdminPort = 8443;
    public const int DefaultReplicaAgentPort = 4443;

    /// <summary>Where the bootstrap values came from (a file path, or "defaults"), for messages.</summary>
    public string Source { get; init; } = "defaults";

    public required string Fqdn { get; init; }

    public NodeRole Roles { get; init; } = NodeRole.All;

    public required string DataDirectory { get; init; }

    /// <summary>The domain created on first start when the store has none (and added if missing).</summary>
    public string InitialDomain { get; init; } = "example.com";

    public IPAddress BindAddress { get; init; } = IPAddress.Any;

    public int XmppPort { get; init; } = DefaultXmppPort;

    /// <summary>0 disables the admin listener.</summary>
    public int AdminPort { get; init; } = DefaultAdminPort;

    /// <summary>PEM certificate (chain) and key; when null a private CA and node certificate are created in the data directory.</summary>
    public string? CertificatePath { get; init; }

    public string? PrivateKeyPath { get; init; }

    /// <summary>
    /// PEM of the CA(s) trusted for federation peers over TLS (<c>certificates.trustedPeerCa</c>, else <c>cms.caCertificate</c>);
    /// null = the node's private CA. Also in <see cref="Parley.Server.Sip.SipServerOptions.TrustedPeerCaPath"/>, where SIP reads it.
    /// </summary>
    public string? TrustedPeerCaPath { get; init; }

    /// <summary>Limits and timeouts of the XMPP client service (defaults suit production; tests shorten them).</summary>
    public Parley.Server.Xmpp.XmppServerOptions Xmpp { get; init; } = new();

    /// <summary>SIP ports (<see cref="Parley.Server.Sip.SipServerOptions.Port"/> UDP+TCP, <see cref="Parley.Server.Sip.SipServerOptions.TlsPort"/> TLS; 0 disables), limits and timers.</summary>
    public Parley.Server.Sip.SipServerOptions Sip { get; init; } = new();

    /// <summary>Clients must STARTTLS before authenticating (default). Off only for tests of the refusal path and benchmarks.</summary>
    public bool RequireTls { get; init; } = true;

    /// <summary>FQDN of the CMS master (bootstrap <c>cms.master</c>); null = this node is the master (the single-node default).</summary>
    public string? CmsMaster { get; init; }

    /// <summary>PEM of the deployment CA that checks the master and the replicas (<c>cms.caCertificate</c>); null = the node's private CA.</summary>
    public string? CmsCaCertificatePath { get; init; }

    /// <summary>A directory the master also writes snapshots to and this node polls (<c>cms.fileShare</c>).</summary>
    public string? CmsFileShare { get; init; }

    /// <summary>
    /// The replica agent's HTTPS port (<c>listeners.replicaAgent</c>); 0 = no listener. Default 4443 when
    /// <see cref="CmsMaster"/> is set, else 0: the single-node master delivers to itself in process.
    /// </summary>
    public int ReplicaAgentPort { get; init; }

    /// <summary>This node holds the CMS store and runs the file transfer agent.</summary>
    public bool IsCmsMaster => CmsMaster is null;
}
