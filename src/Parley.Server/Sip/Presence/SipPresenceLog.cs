using Microsoft.Extensions.Logging;

namespace Parley.Server.Sip.Presence;

/// <summary>Log messages of the SIP presence server (log event IDs 5150–5199; the event catalogue uses 3550–3599).</summary>
internal static partial class SipPresenceLog
{
    [LoggerMessage(5150, LogLevel.Debug, "NOTIFY {Subscription}: {State}")]
    public static partial void Notifying(ILogger logger, string subscription, string state);

    [LoggerMessage(5151, LogLevel.Error, "Notifying SIP watchers failed; the next change retries")]
    public static partial void NotifyLoopFailed(ILogger logger, Exception error);

    [LoggerMessage(5152, LogLevel.Error, "Expiring SIP presence subscriptions or publications failed; retrying at the next tick")]
    public static partial void ExpiryFailed(ILogger logger, Exception error);

    [LoggerMessage(5153, LogLevel.Debug, "SUBSCRIBE {Watcher} → {Presentity}: {Outcome}")]
    public static partial void Subscribed(ILogger logger, string watcher, string presentity, string outcome);
}
