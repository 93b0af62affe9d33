using System.Net;
using System.Net.Security;
using Parley.Sip.Parsing;

namespace Parley.Sip.Transport;

/// <summary>What a <see cref="SipTransportHost"/> listens on. A null endpoint means that transport is off.</summary>
public sealed class SipTransportHostOptions
{
    /// <summary>UDP endpoint, normally 0.0.0.0:5060 (port 0 picks a free port, for tests).</summary>
    public IPEndPoint? Udp { get; set; }

    /// <summary>TCP endpoint, normally 0.0.0.0:5060.</summary>
    public IPEndPoint? Tcp { get; set; }

    /// <summary>TLS endpoint: 5062 for clients (server auth); 5061 mutual TLS for federation.</summary>
    public IPEndPoint? Tls { get; set; }

    /// <summary>
    /// Required with <see cref="Tls"/>: certificate and policy. Set <see cref="SslServerAuthenticationOptions.ClientCertificateRequired"/>
    /// (and a validation callback) for mutual TLS; the peer certificate is then on <see cref="SipSource.PeerCertificate"/>.
    /// </summary>
    public SslServerAuthenticationOptions? TlsServer { get; set; }

    /// <summary>
    /// A second TLS endpoint for federation peers (mutual TLS, 5061 by convention); null = none. Messages received on
    /// it have <see cref="SipSource.IsPeerAuthenticated"/> set. Can also be bound later with <see cref="SipTransportHost.StartPeerTls"/>.
    /// </summary>
    public IPEndPoint? PeerTls { get; set; }

    /// <summary>
    /// Required with <see cref="PeerTls"/>: the options for a connection from the given remote endpoint (certificate,
    /// <see cref="SslServerAuthenticationOptions.ClientCertificateRequired"/> and the validation callback deciding who is
    /// a peer, which can name the remote in what it reports; a failed check fails the handshake).
    /// </summary>
    public Func<IPEndPoint, SslServerAuthenticationOptions>? PeerTlsServer { get; set; }

    /// <summary>Client options for outbound TLS; by default the destination host (or address) is the target name, verified by the system store.</summary>
    public Func<SipDestination, SslClientAuthenticationOptions>? TlsClient { get; set; }

    /// <summary>Host for our Via and Contact; by default the bound address, or the machine name when bound to any address.</summary>
    public string? AdvertisedHost { get; set; }

    public SipTransportLimits Limits { get; set; } = new();

    public SipLimits ParserLimits { get; set; } = new();
}
