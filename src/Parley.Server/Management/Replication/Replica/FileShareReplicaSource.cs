using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Parley.Server.Management.Replication.Replica;

/// <summary>
/// File-share mode: polls the share for <c>latest</c> (a revision number) and applies <c>&lt;N&gt;.snapshot</c>
/// through the applier when it is newer than what is held. The master is counted as heard from when it last wrote
/// <c>latest</c> (its modification time), so staleness works without HTTPS. A half-written file is retried next poll;
/// a rejected one is not retried until it changes.
/// </summary>
public sealed class FileShareReplicaSource : IAsyncDisposable
{
    public const string LatestFileName = "latest";

    private readonly FileShareReplicaOptions _options;
    private readonly IReplicaApplier _applier;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _pollGate = new(1, 1);
    private ITimer? _timer;
    private FileFingerprint? _rejected;
    private FileFingerprint? _incomplete;
    private int _incompletePolls;
    private bool _failing;

    public FileShareReplicaSource(FileShareReplicaOptions options, IReplicaApplier applier, TimeProvider time, ILogger<FileShareReplicaSource> logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Directory);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.PollInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(options.IncompletePollsBeforeRejecting);
        _options = options;
        _applier = applier;
        _time = time;
        _logger = logger;
    }

    public string Directory => _options.Directory;

    private string Source => "file share " + _options.Directory;

    public void Start()
    {
        _timer ??= _time.CreateTimer(_ => _ = TickAsync(), null, TimeSpan.Zero, _options.PollInterval);
    }

    public async ValueTask DisposeAsync()
    {
        var timer = Interlocked.Exchange(ref _timer, null);
        if (timer is not null)
        {
            await timer.DisposeAsync().ConfigureAwait(false);
        }

        // Let a poll in progress finish before the applier goes away.
        await _pollGate.WaitAsync().ConfigureAwait(false);
        _pollGate.Release();
    }

    public async Task<FileSharePollOutcome> PollOnceAsync(CancellationToken cancellationToken)
    {
        await _pollGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await PollAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pollGate.Release();
        }
    }

    private async Task<FileSharePollOutcome> PollAsync(CancellationToken cancellationToken)
    {
        var latestPath = Path.Combine(_options.Directory, LatestFileName);
        var latest = new FileInfo(latestPath);
        if (!latest.Exists)
        {
            return FileSharePollOutcome.NoLatest;
        }

        var text = await File.ReadAllTextAsync(latestPath, cancellationToken).ConfigureAwait(false);
        if (!long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var revision))
        {
            // The master replaces it atomically, but a share may still show a partial copy for a moment.
            ReplicaLog.FileShareIncomplete(_logger, _options.Directory, LatestFileName, latest.Length);
            return FileSharePollOutcome.Incomplete;
        }

        ReplicaLog.FileShareLatest(_logger, _options.Directory, revision);
        var now = _time.GetUtcNow();
        DateTimeOffset written = latest.LastWriteTimeUtc;
        _applier.RecordMasterContact(written < now ? written : now);
        if (revision <= _applier.Status.AppliedRevision)
        {
            return FileSharePollOutcome.UpToDate;
        }

        var snapshotPath = Path.Combine(_options.Directory, revision.ToString(CultureInfo.InvariantCulture) + ReplicaStore.SnapshotExtension);
        var file = new FileInfo(snapshotPath);
        if (!file.Exists)
        {
            ReplicaLog.FileShareIncomplete(_logger, _options.Directory, file.Name, 0);
            return FileSharePollOutcome.Incomplete;
        }

        var fingerprint = new FileFingerprint(revision, file.Length, file.LastWriteTimeUtc);
        if (fingerprint == _rejected)
        {
            return FileSharePollOutcome.Rejected;
        }

        var bytes = await File.ReadAllBytesAsync(snapshotPath, cancellationToken).ConfigureAwait(false);
        if (SnapshotEnvelope.Inspect(bytes, out _) == SnapshotEnvelope.Shape.Incomplete && !GaveUpWaiting(fingerprint))
        {
            ReplicaLog.FileShareIncomplete(_logger, _options.Directory, file.Name, bytes.Length);
            return FileSharePollOutcome.Incomplete;
        }

        try
        {
            await _applier.ApplyAsync(bytes, Source, cancellationToken).ConfigureAwait(false);
            _incomplete = null;
            return FileSharePollOutcome.Applied;
        }
        catch (SnapshotRejectedException)
        {
            // The applier raised the event; the same bytes would be rejected again every poll.
            _rejected = fingerprint;
            ReplicaLog.FileShareRejected(_logger, _options.Directory, revision);
            return FileSharePollOutcome.Rejected;
        }
        catch (ReplicaStoreAccessDeniedException)
        {
            // Event 1034 raised once by the store; retried next poll.
            return FileSharePollOutcome.Failed;
        }
    }

    /// <summary>True when the same incomplete file has been seen for the configured number of polls.</summary>
    private bool GaveUpWaiting(FileFingerprint fingerprint)
    {
        if (fingerprint != _incomplete)
        {
            _incomplete = fingerprint;
            _incompletePolls = 0;
        }

        return ++_incompletePolls > _options.IncompletePollsBeforeRejecting;
    }

    // Never throws: it runs detached from the timer.
    private async Task TickAsync()
    {
        if (_pollGate.CurrentCount == 0)
        {
            return;
        }

        try
        {
            await PollOnceAsync(CancellationToken.None).ConfigureAwait(false);
            _failing = false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An unreachable share is logged once per outage; the node keeps its replica.
            if (!_failing)
            {
                _failing = true;
                ReplicaLog.FileSharePollFailed(_logger, e, _options.Directory);
            }
        }
        catch (Exception e)
        {
            ReplicaLog.FileSharePollFailed(_logger, e, _options.Directory);
        }
    }

    private readonly record struct FileFingerprint(long Revision, long Length, DateTime WrittenUtc);
}
