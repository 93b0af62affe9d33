using Microsoft.Extensions.Logging;
using Parley.Server.Diagnostics;
using Parley.Server.Management.Cms;
using Parley.Server.Storage;

namespace Parley.Server.Management;

/// <summary>
/// Deployment settings read from the CMS documents in SQLite (what a master, or a single node, runs with). <see cref="Current"/> is an immutable snapshot swapped atomically; a timer
/// checks the latest revision (one indexed max() query) and reloads only when it moved, so changes made by the
/// CLI in another process take effect within <see cref="DeploymentSettingsOptions.RefreshInterval"/>.
/// </summary>
public sealed class SqliteDeploymentSettings : IDeploymentSettings, IAsyncDisposable
{
    private readonly ParleyDatabase _database;
    private readonly IEventLog _events;
    private readonly TimeProvider _time;
    private readonly DeploymentSettingsOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _refreshGate = new(1, 1);
    private volatile DeploymentSnapshot? _current;
    private ITimer? _timer;
    private bool _refreshFailing;

    public SqliteDeploymentSettings(ParleyDatabase database, IEventLog events, TimeProvider time, DeploymentSettingsOptions options,
        ILogger<SqliteDeploymentSettings> logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.RefreshInterval, TimeSpan.Zero);
        _database = database;
        _events = events;
        _time = time;
        _options = options;
        _logger = logger;
    }

    public DeploymentSnapshot Current => _current ?? Refresh(announce: false);

    public event Action<DeploymentSnapshot>? Changed;

    public Task<DeploymentSnapshot> RefreshAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Refresh(_options.AnnounceRevisions));
    }

    /// <summary>Loads the first snapshot and starts the periodic revision check.</summary>
    public void Start()
    {
        _ = Current;
        _timer ??= _time.CreateTimer(_ => OnTimer(), null, _options.RefreshInterval, _options.RefreshInterval);
    }

    public ValueTask DisposeAsync()
    {
        var timer = Interlocked.Exchange(ref _timer, null);
        return timer?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    private void OnTimer()
    {
        // Skip a tick rather than pile up behind a slow refresh.
        if (_refreshGate.CurrentCount == 0)
        {
            return;
        }

        try
        {
            Refresh(_options.AnnounceRevisions);
            if (_refreshFailing)
            {
                _refreshFailing = false;
                _logger.LogInformation("Deployment settings refresh from {Path} works again", _database.FilePath);
            }
        }
        catch (StorageException e) when (!_refreshFailing)
        {
            // Reported once per outage (the database raised the storage event); keep serving the last good snapshot.
            _refreshFailing = true;
            _logger.LogWarning(e, "Deployment settings refresh failed; keeping revision {Revision}", _current?.Revision);
        }
        catch (StorageException)
        {
            // Still failing: already reported.
        }
    }

    private DeploymentSnapshot Refresh(bool announce)
    {
        _refreshGate.Wait();
        try
        {
            var previous = _current;
            var latest = _database.Read("checking the configuration revision", SqliteRevisions.Latest, reportFailure: previous is null);
            if (previous is not null && previous.Revision == latest)
            {
                return previous;
            }

            var (snapshot, description) = _database.Read("loading deployment settings", Load);
            _current = snapshot;
            if (announce && previous is not null)
            {
                _events.Raise(ParleyEvents.Lifecycle.ConfigurationRevisionApplied, snapshot.Revision, description);
            }

            if (previous is not null)
            {
                Changed?.Invoke(snapshot);
            }

            return snapshot;
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    private static (DeploymentSnapshot Snapshot, string Description) Load(SqliteSession session)
    {
        var latest = session.Query("SELECT revision, description FROM revisions ORDER BY revision DESC LIMIT 1",
            reader => (Revision: reader.GetInt64(0), Description: reader.GetString(1)));
        var (_, configuration, _) = CmsDocumentTable.Read(session);

        // The revision is the store's newest (directory changes too): lookup caches key on it.
        var revision = latest.Count == 0 ? 0 : latest[0].Revision;
        var description = latest.Count == 0 ? "defaults" : latest[0].Description;
        return (DeploymentSnapshot.From(revision, configuration), description);
    }
}
