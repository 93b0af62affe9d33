using Microsoft.Extensions.Logging;
using Parley.Sip.Parsing;

namespace Parley.Sip.Transport;

/// <summary>Transport log messages; log event IDs 5200–5239 (structured log only).</summary>
internal static partial class Log
{
    [LoggerMessage(5200, LogLevel.Information, "SIP {Transport} listening on {EndPoint}")]
    public static partial void Listening(ILogger logger, SipTransportKind transport, string endPoint);

    [LoggerMessage(5201, LogLevel.Debug, "SIP {Transport} connection {Remote} opened")]
    public static partial void ConnectionOpened(ILogger logger, SipTransportKind transport, string remote);

    [LoggerMessage(5202, LogLevel.Debug, "SIP {Transport} connection {Remote} closed ({Reason})")]
    public static partial void ConnectionClosed(ILogger logger, SipTransportKind transport, string remote, SipConnectionCloseReason reason);

    [LoggerMessage(5203, LogLevel.Debug, "Malformed SIP from {Source} ({Reason}, answered {Status}): {Detail}")]
    public static partial void Malformed(ILogger logger, string source, SipRejectionReason reason, int status, string detail);

    [LoggerMessage(5204, LogLevel.Warning, "SIP {Transport} connection refused from {Remote}: {Limit} connections open")]
    public static partial void TooManyConnections(ILogger logger, SipTransportKind transport, string remote, int limit);

    [LoggerMessage(5205, LogLevel.Debug, "TLS handshake with {Remote} failed")]
    public static partial void TlsHandshakeFailed(ILogger logger, string remote, Exception exception);

    [LoggerMessage(5206, LogLevel.Error, "Unexpected error handling a SIP message from {Source}")]
    public static partial void HandlerFailed(ILogger logger, string source, Exception exception);

    [LoggerMessage(5207, LogLevel.Debug, "UDP source {Source} is over its rate; dropping its datagrams")]
    public static partial void SourceThrottled(ILogger logger, string source);

    [LoggerMessage(5208, LogLevel.Warning, "SIP {Transport} socket error")]
    public static partial void SocketError(ILogger logger, SipTransportKind transport, Exception exception);

    [LoggerMessage(5209, LogLevel.Debug, "Could not send SIP to {Destination}")]
    public static partial void SendFailed(ILogger logger, string destination, Exception exception);

    [LoggerMessage(5210, LogLevel.Information, "SIP TLS listening for federation peers (mutual TLS) on {EndPoint}")]
    public static partial void ListeningForPeers(ILogger logger, string endPoint);

    [LoggerMessage(5211, LogLevel.Information, "SIP TLS listener for federation peers on {EndPoint} closed")]
    public static partial void PeerListenerClosed(ILogger logger, string endPoint);
}
