using System.Net;
using Parley.Server.Diagnostics;
using Parley.Sip.Parsing;
using Parley.Sip.Transport;

namespace Parley.Server.Sip.Core;

/// <summary>
/// Turns what the SIP transport reports into catalogue events: malformed input (with the source address and whether
/// the transport could answer it) and socket failures. Malformed input from one address is rate-limited like
/// authentication failures, so a scanner cannot flood the event store.
/// </summary>
public sealed class SipTransportEvents(IEventLog events, SourceEventThrottle rateLimited) : ISipTransportObserver
{
    public void OnMalformed(SipParseException error, SipSource source)
        => rateLimited.Raise(source.Remote.Address, ParleyEvents.Sip.MalformedMessage, source.Remote, source.Transport.ViaToken(), error.Detail,
            error.PartialRequest is null ? "none" : error.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public void OnConnectionClosed(ISipConnection connection, SipConnectionCloseReason reason)
    {
        // The other reasons are routine (idle, closed by the other side) or reported as malformed input already.
        if (reason == SipConnectionCloseReason.SlowReader)
        {
            events.Raise(ParleyEvents.Sip.SlowReaderClosed, $"{connection.Transport.ViaToken()} {connection.Remote}");
        }
    }

    public void OnTransportError(SipTransportKind transport, IPEndPoint? remote, Exception error)
        => events.Raise(ParleyEvents.Sip.TransportError, $"{transport.ViaToken()} {remote?.ToString() ?? "(listener)"}", "message", error.Message);
}
