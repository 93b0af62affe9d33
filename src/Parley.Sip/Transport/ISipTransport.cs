using Parley.Sip.Messages;

namespace Parley.Sip.Transport;

/// <summary>Sends SIP messages; implemented by <see cref="SipTransportHost"/>.</summary>
public interface ISipTransport
{
    /// <summary>Sends to a destination; for TCP/TLS an open connection to that endpoint is reused, else one is opened.</summary>
    ValueTask SendAsync(SipMessage message, SipDestination destination, CancellationToken ct);

    /// <summary>
    /// Sends a response back where its request came from: on the same connection while it is open, else (RFC 3261
    /// §18.2.2, RFC 3581 §4) to the top Via's received address and rport or sent-by port.
    /// </summary>
    ValueTask SendResponseAsync(SipResponse response, SipSource source, CancellationToken ct);

    /// <summary>The host to put in our Via sent-by and Contact for this transport.</summary>
    string LocalHost(SipTransportKind transport);

    /// <summary>The port we listen on for this transport.</summary>
    int LocalPort(SipTransportKind transport);
}
