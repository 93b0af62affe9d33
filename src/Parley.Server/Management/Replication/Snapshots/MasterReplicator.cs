using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Parley.Server.Diagnostics;
using Parley.Server.Management.Cms;

namespace Parley.Server.Management.Replication.Snapshots;

/// <summary>
/// The master replicator: builds the signed snapshot of the store's latest revision once and caches it, and
/// raises <see cref="RevisionCommitted"/> when the revision moves (at once after a change made through this
/// process's store, within <see cref="MasterReplicatorOptions.PollInterval"/> for one made by the CLI).
/// </summary>
public sealed class MasterReplicator : ISnapshotSource, IAsyncDisposable
{
    private readonly ICmsStore _cms;
    private readonly Func<X509Certificate2> _signer;
    private readonly string _masterFqdn;
    private readonly IEventLog _events;
    private readonly TimeProvider _time;
    private readonly MasterReplicatorOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _buildGate = new(1, 1);
    private volatile SignedSnapshot? _cached;
    private long _announced = -1;
    private ITimer? _timer;
    private bool _pollFailing;

    /// <param name="signer">The master's node certificate with its private key, read at each build (it may be renewed).</param>
    public MasterReplicator(ICmsStore cms, Func<X509Certificate2> signer, string masterFqdn, IEventLog events, TimeProvider time,
        MasterReplicatorOptions options, ILogger<MasterReplicator> logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.PollInterval, TimeSpan.Zero);
        _cms = cms;
        _signer = signer;
        _masterFqdn = masterFqdn;
        _events = events;
        _time = time;
        _options = options;
        _logger = logger;
    }

    public event Action<long>? RevisionCommitted;

    /// <summary>The revision last announced (or found at start); -1 before <see cref="StartAsync"/>.</summary>
    public long AnnouncedRevision => Interlocked.Read(ref _announced);

    public async Task<SignedSnapshot> LatestAsync(CancellationToken cancellationToken)
    {
        var revision = await _cms.GetRevisionAsync(cancellationToken).ConfigureAwait(false);
        return _cached is { } cached && cached.Revision == revision ? cached : await BuildAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Builds the current snapshot (so the first push does not wait) and starts watching for new revisions.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var snapshot = await BuildAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.CompareExchange(ref _announced, snapshot.Revision, -1);
        _cms.Committed += OnCommitted;
        _timer ??= _time.CreateTimer(_ => _ = CheckAsync(), null, _options.PollInterval, _options.PollInterval);
    }

    public async ValueTask DisposeAsync()
    {
        _cms.Committed -= OnCommitted;
        var timer = Interlocked.Exchange(ref _timer, null);
        if (timer is not null)
        {
            await timer.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Checks the revision now; builds and announces a new one. Also what the timer and own commits run.</summary>
    public async Task CheckAsync()
    {
        long revision;
        try
        {
            revision = await _cms.GetRevisionAsync(CancellationToken.None).ConfigureAwait(false);
            if (_pollFailing)
            {
                _pollFailing = false;
                CmsLog.PollRecovered(_logger);
            }
        }
        catch (Exception e) when (e is Storage.StorageException or InvalidOperationException)
        {
            // Reported once per outage; the store raised its own event. Replicas keep what they have.
            if (!_pollFailing)
            {
                _pollFailing = true;
                CmsLog.PollFailed(_logger, e, AnnouncedRevision);
            }

            return;
        }

        if (revision <= AnnouncedRevision)
        {
            return;
        }

        SignedSnapshot snapshot;
        try
        {
            snapshot = await LatestAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Storage.StorageException or InvalidOperationException or ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            return; // BuildAsync reported it.
        }

        // Announce each revision once, in order, even when a commit and a timer tick race.
        var previous = Interlocked.Read(ref _announced);
        while (snapshot.Revision > previous)
        {
            var seen = Interlocked.CompareExchange(ref _announced, snapshot.Revision, previous);
            if (seen == previous)
            {
                RevisionCommitted?.Invoke(snapshot.Revision);
                return;
            }

            previous = seen;
        }
    }

    private void OnCommitted(long revision) => _ = CheckAsync();

    private async Task<SignedSnapshot> BuildAsync(CancellationToken cancellationToken)
    {
        await _buildGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        long revision = -1;
        try
        {
            var latest = await _cms.GetLatestAsync(cancellationToken).ConfigureAwait(false);
            revision = latest.Revision;
            if (_cached is { } cached && cached.Revision == latest.Revision)
            {
                return cached;
            }

            var started = Stopwatch.GetTimestamp();
            var writer = new SnapshotWriter(_signer(), _masterFqdn, ProductVersion.Current);
            var snapshot = writer.Write(latest.Revision, latest.Created, latest.Configuration);
            var elapsed = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            _cached = snapshot;
            CmsLog.SnapshotBuilt(_logger, snapshot.Revision, snapshot.ContentHash, snapshot.Bytes.Length, elapsed);
            _events.Raise(ParleyEvents.Management.SnapshotBuilt, snapshot.Revision, snapshot.ContentHash, snapshot.Bytes.Length, elapsed);
            return snapshot;
        }
        catch (Exception e) when (e is Storage.StorageException or InvalidOperationException or ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            CmsLog.SnapshotBuildFailed(_logger, e, revision);
            _events.Raise(ParleyEvents.Management.SnapshotBuildFailed, revision < 0 ? "unknown" : revision, e.Message);
            throw;
        }
        finally
        {
            _buildGate.Release();
        }
    }
}
