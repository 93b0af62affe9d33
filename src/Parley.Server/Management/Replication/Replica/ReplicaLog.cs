using Microsoft.Extensions.Logging;

namespace Parley.Server.Management.Replication.Replica;

/// <summary>Replica agent log messages; log event IDs 5330–5359 (structured log only, not the event catalogue).</summary>
internal static partial class ReplicaLog
{
    [LoggerMessage(5330, LogLevel.Debug, "Replica store {Path}: removed leftover {File} from an interrupted write")]
    public static partial void LeftoverRemoved(ILogger logger, string path, string file);

    [LoggerMessage(5331, LogLevel.Warning, "Replica store {Path}: could not remove {File}")]
    public static partial void CleanupFailed(ILogger logger, Exception exception, string path, string file);

    [LoggerMessage(5332, LogLevel.Warning, "Replica store {Path}: revision {Revision} is unusable: {Problem}")]
    public static partial void RevisionUnusable(ILogger logger, string path, string revision, string problem);

    [LoggerMessage(5333, LogLevel.Debug, "Replica store {Path}: committed revision {Revision}")]
    public static partial void Committed(ILogger logger, string path, long revision);

    [LoggerMessage(5334, LogLevel.Warning, "Replica store {Path}: status.json is unreadable; starting with an empty status")]
    public static partial void StatusUnreadable(ILogger logger, Exception exception, string path);

    [LoggerMessage(5335, LogLevel.Warning, "Replica store {Path}: writing status.json failed")]
    public static partial void StatusWriteFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(5336, LogLevel.Critical, "Replica store fault injection: killing the process at step {Step} (revision {Revision})")]
    public static partial void FaultInjected(ILogger logger, string step, long revision);

    [LoggerMessage(5337, LogLevel.Debug, "Revision {Revision} from {Source} is the one held; nothing to apply")]
    public static partial void AlreadyHeld(ILogger logger, long revision, string source);

    [LoggerMessage(5338, LogLevel.Warning, "Mirroring the domains of revision {Revision} into parley.db failed; retried at the next apply or reload")]
    public static partial void DomainMirrorFailed(ILogger logger, Exception exception, long revision);

    [LoggerMessage(5339, LogLevel.Information, "Domains mirrored into parley.db for revision {Revision}: added {Added}, removed {Removed}, kept with users {Kept}")]
    public static partial void DomainsMirrored(ILogger logger, long revision, string added, string removed, string kept);

    [LoggerMessage(5340, LogLevel.Error, "A Changed handler of the replica settings threw")]
    public static partial void ChangedHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(5341, LogLevel.Information, "Replica picked up revision {Revision} committed by another process")]
    public static partial void ReloadedFromDisk(ILogger logger, long revision);

    [LoggerMessage(5342, LogLevel.Warning, "Replica refresh failed; keeping revision {Revision}")]
    public static partial void RefreshFailed(ILogger logger, Exception exception, long revision);

    [LoggerMessage(5343, LogLevel.Debug, "File share {Directory}: {File} is incomplete ({Bytes} bytes); retrying at the next poll")]
    public static partial void FileShareIncomplete(ILogger logger, string directory, string file, long bytes);

    [LoggerMessage(5344, LogLevel.Warning, "File share {Directory}: polling failed")]
    public static partial void FileSharePollFailed(ILogger logger, Exception exception, string directory);

    [LoggerMessage(5345, LogLevel.Debug, "File share {Directory}: 'latest' names revision {Revision}")]
    public static partial void FileShareLatest(ILogger logger, string directory, long revision);

    [LoggerMessage(5346, LogLevel.Warning, "File share {Directory}: revision {Revision} was rejected; waiting for the master to write it again")]
    public static partial void FileShareRejected(ILogger logger, string directory, long revision);
}
