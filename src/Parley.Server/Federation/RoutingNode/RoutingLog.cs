using Microsoft.Extensions.Logging;

namespace Parley.Server.Federation.RoutingNode;

/// <summary>Log messages of the routing node (log event IDs 5420–5429, part of the inbound range 5400–5449).</summary>
internal static partial class RoutingLog
{
    [LoggerMessage(5420, LogLevel.Debug, "Routing node: {Method} for {User} forwarded to its home node {Home}")]
    public static partial void ForwardingToHome(ILogger logger, string method, string user, string home);

    [LoggerMessage(5421, LogLevel.Debug, "Routing node: the {Status} for {Method} came after the upstream transaction ended; not relayed")]
    public static partial void AnswerTooLate(ILogger logger, int status, string method);

    [LoggerMessage(5422, LogLevel.Debug, "Routing node: CANCEL forwarded to {NextHop}, answered {Status}")]
    public static partial void CancelForwarded(ILogger logger, string nextHop, int status);

    [LoggerMessage(5423, LogLevel.Warning, "Routing node: a CANCEL could not be forwarded to {NextHop}; the INVITE is answered 487 here after 64×T1")]
    public static partial void CancelNotForwarded(ILogger logger, string nextHop, Exception exception);
}
