using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Parley.Sip.Transport;

/// <summary>Where a received message came from: the reply target per RFC 3261 §18.2.2 and RFC 3581.</summary>
public sealed class SipSource
{
    public SipSource(SipTransportKind transport, IPEndPoint remote, IPEndPoint local, ISipConnection? connection = null)
    {
        Transport = transport;
        Remote = remote;
        Local = local;
        Connection = connection;
    }

    public SipTransportKind Transport { get; }

    public IPEndPoint Remote { get; }

    public IPEndPoint Local { get; }

    /// <summary>The stream the message arrived on (TCP/TLS); null for UDP.</summary>
    public ISipConnection? Connection { get; }

    public bool IsSecure => Transport == SipTransportKind.Tls;

    public X509Certificate2? PeerCertificate => Connection?.PeerCertificate;

    /// <summary>
    /// The message came on the peer-auth TLS listener (<see cref="SipTransportHostOptions.PeerTls"/>), whose handshake
    /// required a client certificate and passed that listener's validation callback.
    /// </summary>
    public bool IsPeerAuthenticated { get; init; }

    /// <summary>The peer's socket address, kept so UDP replies to it are sent without allocating.</summary>
    internal SocketAddress? UdpAddress { get; init; }

    public override string ToString() => $"{Transport.ViaToken()}:{Remote}";
}
