using Microsoft.Extensions.Logging;

namespace Parley.Server.Management.Replication.Transfer;

/// <summary>Transfer log messages; event IDs 5360–5399.</summary>
internal static partial class TransferLog
{
    [LoggerMessage(EventId = 5360, Level = LogLevel.Debug, Message = "Pushed revision {Revision} to {Replica} ({Address}): applied {Applied}")]
    public static partial void Pushed(ILogger logger, long revision, string replica, string address, long applied);

    [LoggerMessage(EventId = 5361, Level = LogLevel.Debug, Message = "Transfer to {Replica} failed ({Kind}, attempt {Failures}); next attempt in {Delay}: {Reason}")]
    public static partial void Failed(ILogger logger, string replica, TransferFaultKind kind, int failures, TimeSpan delay, string reason);

    [LoggerMessage(EventId = 5362, Level = LogLevel.Warning, Message = "Recording replication status of {Replica} failed; will retry with the next report")]
    public static partial void StatusWriteFailed(ILogger logger, Exception exception, string replica);

    [LoggerMessage(EventId = 5363, Level = LogLevel.Information, Message = "File transfer agent replicating to {Count} nodes: {Nodes}")]
    public static partial void Targets(ILogger logger, int count, string nodes);

    [LoggerMessage(EventId = 5364, Level = LogLevel.Warning, Message = "File transfer agent cannot read the latest snapshot; retrying")]
    public static partial void SnapshotUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5365, Level = LogLevel.Debug, Message = "Replica agent: {Method} {Path} from {Remote} -> {Status}")]
    public static partial void AgentRequest(ILogger logger, string method, string path, string remote, int status);

    [LoggerMessage(EventId = 5366, Level = LogLevel.Error, Message = "Replica agent failed to apply a snapshot from {Remote}")]
    public static partial void AgentApplyFailed(ILogger logger, Exception exception, string remote);

    [LoggerMessage(EventId = 5367, Level = LogLevel.Warning, Message = "Reading replication requests failed; retrying")]
    public static partial void RequestsUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5369, Level = LogLevel.Error, Message = "{Node} could not take over the CMS master role; it keeps serving as a replica")]
    public static partial void TakeoverFailed(ILogger logger, Exception exception, string node);

    [LoggerMessage(EventId = 5370, Level = LogLevel.Information, Message = "Writing snapshots to the file share {Directory} works again")]
    public static partial void FileShareRecovered(ILogger logger, string directory);

    [LoggerMessage(EventId = 5368, Level = LogLevel.Error, Message = "Transfer loop for {Replica} failed unexpectedly; restarting it")]
    public static partial void LoopCrashed(ILogger logger, Exception exception, string replica);
}
