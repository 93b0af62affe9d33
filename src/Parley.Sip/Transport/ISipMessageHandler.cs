using Parley.Sip.Messages;
using Parley.Sip.Parsing;

namespace Parley.Sip.Transport;

/// <summary>Receives what the transport reads; implemented by the transaction layer.</summary>
public interface ISipMessageHandler
{
    /// <summary>
    /// A complete message. Requests already carry RFC 3581 received/rport in their top Via. The transport awaits this
    /// before reading the next message from the same connection, so it must not wait on remote parties.
    /// </summary>
    ValueTask OnMessageAsync(SipMessage message, SipSource source, CancellationToken ct);

    /// <summary>Input that could not be parsed; the transport has already answered it when it could and counted it.</summary>
    void OnMalformed(SipParseException error, SipSource source);
}
