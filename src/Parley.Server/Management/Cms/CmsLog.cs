using Microsoft.Extensions.Logging;

namespace Parley.Server.Management.Cms;

/// <summary>CMS store and master replicator log messages; log event IDs 5300–5329 (structured log only).</summary>
internal static partial class CmsLog
{
    [LoggerMessage(5300, LogLevel.Information, "CMS revision {Revision} by {Actor}: {Description} ({Documents})")]
    public static partial void Committed(ILogger logger, long revision, string actor, string description, string documents);

    [LoggerMessage(5301, LogLevel.Debug, "CMS change by {Actor} ({Description}) changed no document; revision stays {Revision}")]
    public static partial void Unchanged(ILogger logger, string actor, string description, long revision);

    [LoggerMessage(5302, LogLevel.Information, "CMS change by {Actor} ({Description}) refused: {Errors}")]
    public static partial void Refused(ILogger logger, string actor, string description, string errors);

    [LoggerMessage(5303, LogLevel.Warning, "CMS change by {Actor} ({Description}) refused on a replica; the master is {Master}")]
    public static partial void NotMaster(ILogger logger, string actor, string description, string master);

    [LoggerMessage(5304, LogLevel.Error, "A CMS revision observer threw after revision {Revision}")]
    public static partial void ObserverFailed(ILogger logger, Exception exception, long revision);

    [LoggerMessage(5310, LogLevel.Debug, "Snapshot of revision {Revision} built: {Hash}, {Bytes} bytes in {Milliseconds} ms")]
    public static partial void SnapshotBuilt(ILogger logger, long revision, string hash, int bytes, long milliseconds);

    [LoggerMessage(5311, LogLevel.Error, "Snapshot of revision {Revision} could not be built")]
    public static partial void SnapshotBuildFailed(ILogger logger, Exception exception, long revision);

    [LoggerMessage(5312, LogLevel.Warning, "CMS revision check failed; keeping revision {Revision}")]
    public static partial void PollFailed(ILogger logger, Exception exception, long revision);

    [LoggerMessage(5313, LogLevel.Information, "CMS revision check works again")]
    public static partial void PollRecovered(ILogger logger);
}
