using System.Net;
using System.Security.Cryptography.X509Certificates;
using Parley.Sip.Messages;

namespace Parley.Sip.Transport;

/// <summary>One open TCP or TLS connection (a "flow" in RFC 5626 terms).</summary>
public interface ISipConnection
{
    SipTransportKind Transport { get; }

    IPEndPoint Remote { get; }

    IPEndPoint Local { get; }

    /// <summary>False once the connection is closing or closed; a closed connection is never reused.</summary>
    bool IsOpen { get; }

    /// <summary>The TLS peer's certificate, when it presented one.</summary>
    X509Certificate2? PeerCertificate { get; }

    /// <summary>Why the connection closed, once it has.</summary>
    SipConnectionCloseReason? CloseReason { get; }

    /// <summary>Queues a message; throws <see cref="SipTransportException"/> when the connection is closed or over its outbound limit.</summary>
    ValueTask SendAsync(SipMessage message, CancellationToken ct);

    /// <summary>Closes the connection, recording why.</summary>
    void Close(SipConnectionCloseReason reason);
}
