using Microsoft.Extensions.Logging;
using Parley.Sip.Parsing;

namespace Parley.Sip.Transport;

/// <summary>Transport log messages; event IDs 3700–3739 (structured log only).</summary>
internal static partial class Log
{
    [LoggerMessage(3700, LogLevel.Information, "SIP {Transport} listening on {EndPoint}")]
    public static partial void Listening(ILogger logger, SipTransportKind transport, string endPoint);

    [LoggerMessage(3701, LogLevel.Debug, "SIP {Transport} connection {Remote} opened")]
    public static partial void ConnectionOpened(ILogger logger, SipTransportKind transport, string remote);

    [LoggerMessage(3702, LogLevel.Debug, "SIP {Transport} connection {Remote} closed ({Reason})")]
    public static partial void ConnectionClosed(ILogger logger, SipTransportKind transport, string remote, SipConnectionCloseReason reason);

    [LoggerMessage(3703, LogLevel.Debug, "Malformed SIP from {Source} ({Reason}, answered {Status}): {Detail}")]
    public static partial void Malformed(ILogger logger, string source, SipRejectionReason reason, int status, string detail);

    [LoggerMessage(3704, LogLevel.Warning, "SIP {Transport} connection refused from {Remote}: {Limit} connections open")]
    public static partial void TooManyConnections(ILogger logger, SipTransportKind transport, string remote, int limit);

    [LoggerMessage(3705, LogLevel.Debug, "TLS handshake with {Remote} failed")]
    public static partial void TlsHandshakeFailed(ILogger logger, string remote, Exception exception);

    [LoggerMessage(3706, LogLevel.Error, "Unexpected error handling a SIP message from {Source}")]
    public static partial void HandlerFailed(ILogger logger, string source, Exception exception);

    [LoggerMessage(3707, LogLevel.Debug, "UDP source {Source} is over its rate; dropping its datagrams")]
    public static partial void SourceThrottled(ILogger logger, string source);

    [LoggerMessage(3708, LogLevel.Warning, "SIP {Transport} socket error")]
    public static partial void SocketError(ILogger logger, SipTransportKind transport, Exception exception);

    [LoggerMessage(3709, LogLevel.Debug, "Could not send SIP to {Destination}")]
    public static partial void SendFailed(ILogger logger, string destination, Exception exception);

    [LoggerMessage(3710, LogLevel.Warning, "SIP UDP receive queue is full ({Capacity}); dropping datagrams")]
    public static partial void UdpQueueFull(ILogger logger, int capacity);
}
