using Microsoft.Extensions.Logging;
using Parley.Server.Diagnostics;
using Parley.Server.Management.Replication.Status;

namespace Parley.Server.Management.Replication.Transfer;

/// <summary>
/// Replication to one node: push the latest snapshot when the node does not hold it, else poll its status; on a
/// failure retry with capped exponential backoff, forever. One event per fault episode (a new kind of fault is a
/// new episode) and one recovery event when it works again. Writes the node's row of <c>replication_status</c>.
/// </summary>
internal sealed class ReplicaPushLoop : IAsyncDisposable
{
    private readonly IReplicaTransport _transport;
    private readonly ISnapshotSource _source;
    private readonly ReplicationStatusStore _status;
    private readonly IEventLog _events;
    private readonly TransferOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task? _run;
    private int _forceFull;
    private ReplicaStatusRecord _record;
    private TransferFaultKind? _episode;
    private DateTimeOffset _episodeStarted;

    public ReplicaPushLoop(string fqdn, IReplicaTransport transport, ISnapshotSource source, ReplicationStatusStore status, IEventLog events,
        TransferOptions options, TimeProvider time, ILogger logger)
    {
        Fqdn = fqdn;
        _transport = transport;
        _source = source;
        _status = status;
        _events = events;
        _options = options;
        _time = time;
        _logger = logger;
        _record = new ReplicaStatusRecord { Fqdn = fqdn, Address = transport.Address, AppliedRevision = -1, Updated = time.GetUtcNow() };
    }

    public string Fqdn { get; }

    public string Address => _transport.Address;

    /// <summary>The last known status (for the master's view and the benchmark).</summary>
    public ReplicaStatusRecord Record => Volatile.Read(ref _record);

    public void Start() => _run ??= Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Try now instead of waiting out the poll interval or backoff; <paramref name="full"/> resends even if the node holds the revision.</summary>
    public void Wake(bool full)
    {
        if (full)
        {
            Interlocked.Exchange(ref _forceFull, 1);
        }

        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_run is not null)
        {
            try
            {
                await _run.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _transport.Dispose();
        _stop.Dispose();
        _wake.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = new RetryBackoff(_options.InitialRetryDelay, _options.MaxRetryDelay);
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                wait = await AttemptAsync(backoff, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not TransferException)
            {
                // A bug or a store failure must not end replication to this node for good.
                TransferLog.LoopCrashed(_logger, e, Fqdn);
                wait = backoff.Next();
            }

            try
            {
                await _wake.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One push or poll; returns how long to wait before the next.</summary>
    private async Task<TimeSpan> AttemptAsync(RetryBackoff backoff, CancellationToken cancellationToken)
    {
        var force = Interlocked.Exchange(ref _forceFull, 0) == 1;
        if (force)
        {
            backoff.Reset();
        }

        SignedSnapshot latest;
        try
        {
            latest = await _source.LatestAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            TransferLog.SnapshotUnavailable(_logger, e);
            return backoff.Next();
        }

        var push = force || Record.AppliedRevision != latest.Revision;
        try
        {
            var report = push
                ? await _transport.PushAsync(latest, cancellationToken).ConfigureAwait(false)
                : await _transport.StatusAsync(cancellationToken).ConfigureAwait(false);
            if (push)
            {
                TransferLog.Pushed(_logger, latest.Revision, Fqdn, Address, report.AppliedRevision);
            }

            await SucceededAsync(report, latest, cancellationToken).ConfigureAwait(false);
            backoff.Reset();

            // A poll that finds the node behind (restarted on an old revision, restored from backup) pushes at once.
            return !push && report.AppliedRevision != latest.Revision ? TimeSpan.Zero : _options.StatusPollInterval;
        }
        catch (TransferException e)
        {
            var delay = backoff.Next();
            await FailedAsync(e, latest, delay, cancellationToken).ConfigureAwait(false);
            return delay;
        }
    }

    private async Task SucceededAsync(ReplicaStatusReport report, SignedSnapshot latest, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var previous = Record;
        if (_episode is not null)
        {
            _events.Raise(ParleyEvents.Management.ReplicationRecovered, Fqdn, previous.Failures, report.AppliedRevision, Describe(now - _episodeStarted));
            _episode = null;
        }

        await SaveAsync(previous with
        {
            Address = Address,
            UpToDate = report.AppliedRevision == latest.Revision,
            AppliedRevision = report.AppliedRevision,
            LatestRevision = latest.Revision,
            ContentHash = report.ContentHash,
            LastStatusReport = now,
            LastUpdateCreation = report.LastUpdateCreation,
            AppliedAt = report.AppliedAt,
            ProductVersion = report.ProductVersion,
            Failures = 0,
            LastError = report.Error,
            LastErrorEvent = null,
            Deleted = false,
            Updated = now,
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task FailedAsync(TransferException e, SignedSnapshot latest, TimeSpan delay, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var previous = Record;
        if (_episode != e.Kind)
        {
            // First failure, or a different fault than the one already reported: one event each.
            if (_episode is null)
            {
                _episodeStarted = now;
            }

            _episode = e.Kind;
            _events.Raise(TransferFaultEvents.For(e.Kind), [.. e.EventArguments]);
        }

        TransferLog.Failed(_logger, Fqdn, e.Kind, previous.Failures + 1, delay, e.Message);
        await SaveAsync(previous with
        {
            Address = Address,
            UpToDate = previous.AppliedRevision == latest.Revision,
            LatestRevision = latest.Revision,
            Failures = previous.Failures + 1,
            LastError = $"{e.Kind}: {e.Message}",
            LastErrorEvent = TransferFaultEvents.For(e.Kind).Id,
            LastErrorAt = now,
            Deleted = false,
            Updated = now,
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task SaveAsync(ReplicaStatusRecord record, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _record, record);
        try
        {
            await _status.UpsertAsync(record, record.LastErrorEvent, cancellationToken).ConfigureAwait(false);
        }
        catch (Parley.Server.Storage.StorageException e)
        {
            // The in-memory record stays right; the next report writes again.
            TransferLog.StatusWriteFailed(_logger, e, Fqdn);
        }
    }

    private static string Describe(TimeSpan span)
        => span.TotalMinutes >= 1 ? $"{span.TotalMinutes:0.#} min" : $"{span.TotalSeconds:0.#} s";
}
