using Microsoft.Extensions.Logging;

namespace Parley.Sip.Transactions;

/// <summary>Transaction log messages; log event IDs 5240–5269 (structured log only).</summary>
internal static partial class Log
{
    [LoggerMessage(5240, LogLevel.Debug, "{Method} server transaction {Branch} timed out waiting for ACK")]
    public static partial void AckTimeout(ILogger logger, string method, string branch);

    [LoggerMessage(5241, LogLevel.Debug, "{Method} client transaction {Branch} timed out; synthesized 408")]
    public static partial void RequestTimeout(ILogger logger, string method, string branch);

    [LoggerMessage(5242, LogLevel.Debug, "Transport error in {Method} transaction {Branch}")]
    public static partial void TransportError(ILogger logger, string method, string branch, Exception exception);

    [LoggerMessage(5243, LogLevel.Error, "The transaction user failed handling {Method} {Branch}")]
    public static partial void UserFailed(ILogger logger, string method, string branch, Exception exception);

    [LoggerMessage(5244, LogLevel.Debug, "Dropped a response matching no transaction: {Status} {Method}")]
    public static partial void StrayResponse(ILogger logger, int status, string method);

    [LoggerMessage(5245, LogLevel.Debug, "Dropped a message without a usable Via or CSeq from {Source}")]
    public static partial void Unmatchable(ILogger logger, string source);

    [LoggerMessage(5247, LogLevel.Warning, "{Method} server transaction {Branch} got no final response from the transaction user in time")]
    public static partial void Unanswered(ILogger logger, string method, string branch);

    [LoggerMessage(5248, LogLevel.Debug, "Discarded a retransmitted {Status} for completed {Method} client transaction {Branch} (timer K)")]
    public static partial void RetransmittedFinal(ILogger logger, int status, string method, string branch);

    [LoggerMessage(5246, LogLevel.Debug, "Malformed SIP from {Source} ({Reason})")]
    public static partial void Malformed(ILogger logger, string source, Parsing.SipRejectionReason reason);
}
