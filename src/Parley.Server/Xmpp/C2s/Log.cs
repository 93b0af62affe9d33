using Microsoft.Extensions.Logging;
using Parley.Xmpp.Streams;

namespace Parley.Server.Xmpp.C2s;

/// <summary>Client-connection log messages; log event IDs 5000–5049 (structured log only, not the event catalogue).</summary>
internal static partial class Log
{
    [LoggerMessage(5000, LogLevel.Debug, "Connection from {Remote} opened")]
    public static partial void ConnectionOpened(ILogger logger, string remote);

    [LoggerMessage(5001, LogLevel.Debug, "Connection from {Remote} closed")]
    public static partial void ConnectionClosed(ILogger logger, string remote);

    [LoggerMessage(5002, LogLevel.Debug, "Stream from {Remote} broke a rule ({Reason}): {Detail}")]
    public static partial void StreamViolation(ILogger logger, string remote, XmppStreamErrorReason reason, string detail);

    [LoggerMessage(5003, LogLevel.Debug, "Connection from {Remote} timed out ({Reason})")]
    public static partial void TimedOut(ILogger logger, string remote, TimeoutReason reason);

    [LoggerMessage(5004, LogLevel.Error, "Unexpected error on connection {Remote}")]
    public static partial void UnexpectedError(ILogger logger, string remote, Exception exception);

    [LoggerMessage(5005, LogLevel.Debug, "Connection from {Remote} authenticated with {Mechanism}")]
    public static partial void Authenticated(ILogger logger, string remote, string mechanism);

    [LoggerMessage(5006, LogLevel.Debug, "Session resumed from {Remote}; {Unacked} stanzas re-sent")]
    public static partial void Resumed(ILogger logger, string remote, int unacked);

    [LoggerMessage(5007, LogLevel.Warning, "Connection from {Remote} closed: it did not read {Limit} queued stanzas")]
    public static partial void OutboundQueueFull(ILogger logger, string remote, int limit);
}
