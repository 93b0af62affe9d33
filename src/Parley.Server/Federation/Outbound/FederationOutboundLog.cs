using Microsoft.Extensions.Logging;

namespace Parley.Server.Federation.Outbound;

/// <summary>Log messages of the federation outbound side (log event IDs 5450–5499; the event catalogue uses 3630–3669).</summary>
internal static partial class FederationOutboundLog
{
    [LoggerMessage(5450, LogLevel.Information, "Federation next hop {NextHop} marked down: {Reason}")]
    public static partial void NextHopDown(ILogger logger, string nextHop, string reason);

    [LoggerMessage(5451, LogLevel.Debug, "OPTIONS probe to federation next hop {NextHop} failed")]
    public static partial void ProbeFailed(ILogger logger, string nextHop, Exception error);

    [LoggerMessage(5452, LogLevel.Debug, "Presence subscription of {Local} to peer user {Remote}: {State}")]
    public static partial void Subscription(ILogger logger, string local, string remote, string state);

    [LoggerMessage(5453, LogLevel.Warning, "Presence subscription of {Local} to peer user {Remote} failed")]
    public static partial void SubscriptionFailed(ILogger logger, string local, string remote, Exception error);

    [LoggerMessage(5454, LogLevel.Debug, "NOTIFY from peer user {Remote} for {Local} not understood: {Problem}")]
    public static partial void NotifyUnreadable(ILogger logger, string remote, string local, string problem);

    [LoggerMessage(5455, LogLevel.Warning, "Delivering a message from {Local} to peer user {Remote} failed")]
    public static partial void MessageFailed(ILogger logger, string local, string remote, Exception error);
}
