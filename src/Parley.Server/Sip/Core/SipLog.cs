using Microsoft.Extensions.Logging;

namespace Parley.Server.Sip.Core;

/// <summary>Log messages of the SIP server core (log event IDs 5100–5149; the event catalogue uses 3500–3549).</summary>
internal static partial class SipLog
{
    [LoggerMessage(5100, LogLevel.Debug, "Registrations of {User} expired and were removed")]
    public static partial void BindingsExpired(ILogger logger, string user);

    [LoggerMessage(5101, LogLevel.Error, "Removing expired SIP registrations failed; retrying at the next tick")]
    public static partial void SweepFailed(ILogger logger, Exception error);

    [LoggerMessage(5102, LogLevel.Error, "SIP {Method} from {Source} failed in its handler; answered 500")]
    public static partial void HandlerFailed(ILogger logger, string method, string source, Exception error);

    [LoggerMessage(5103, LogLevel.Debug, "SIP {Method} from {Source}: {Status}")]
    public static partial void Answered(ILogger logger, string method, string source, int status);

    [LoggerMessage(5104, LogLevel.Warning, "Delivering a message to the SIP contacts of {User} failed")]
    public static partial void DeliveryFailed(ILogger logger, string user, Exception error);

    [LoggerMessage(5105, LogLevel.Warning, "Updating the SIP session of {User} failed")]
    public static partial void SessionUpdateFailed(ILogger logger, string user, Exception error);

    [LoggerMessage(5106, LogLevel.Debug, "IM session {CallId} of {User} with {Peer} ended: {Reason}")]
    public static partial void ImSessionEnded(ILogger logger, string callId, string user, string peer, string reason);

    [LoggerMessage(5107, LogLevel.Debug, "{Host} resolved to no usable address")]
    public static partial void ResolveFailed(ILogger logger, string host, Exception? error);
}
