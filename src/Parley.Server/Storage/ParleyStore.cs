using Microsoft.Extensions.Logging;
using Parley.Server.Diagnostics;
using Parley.Server.Directory;
using Parley.Server.Management;
using Parley.Server.Management.Cms;
using Parley.Server.Messaging;
using Parley.Server.Privacy;
using Parley.Server.Roster;

namespace Parley.Server.Storage;

/// <summary>
/// The embedded store and its background parts (event writer, settings refresh timer), wired together.
/// Call <see cref="StartAsync"/> before use and dispose to stop: queued events are stored first.
/// A PostgreSQL store will be a sibling of this class behind the same interfaces.
/// </summary>
public sealed class ParleyStore : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly EventLog _eventLog;
    private readonly SqliteDeploymentSettings _settings;
    private readonly SqliteCmsStore _cms;
    private int _state; // 0 created, 1 started, 2 disposed

    public ParleyStore(ParleyStoreOptions options, TimeProvider time, ILoggerFactory loggerFactory)
    {
        Options = options;
        _logger = loggerFactory.CreateLogger<ParleyStore>();
        Database = new ParleyDatabase(options.DataDirectory, options.CreateIfMissing, loggerFactory.CreateLogger<ParleyDatabase>());
        _eventLog = new EventLog(new SqliteEventStore(Database, options.Events.MaxStoredEvents), options.Events, time, loggerFactory.CreateLogger<EventLog>());
        _settings = new SqliteDeploymentSettings(Database, _eventLog, time, options.Settings, loggerFactory.CreateLogger<SqliteDeploymentSettings>());
        _cms = new SqliteCmsStore(Database, _eventLog, time, options.Cms, loggerFactory.CreateLogger<SqliteCmsStore>());

        // A change made in this process is visible to its readers (and the CLI's printed revision) when ChangeAsync returns.
        _cms.Committed += _ => _settings.RefreshAsync(CancellationToken.None);
        Users = new SqliteUserDirectory(Database, _settings, _cms, time, options.Directory);
        Rosters = new SqliteRosterStore(Database, new StoredJidCache());
        Privacy = new CachedPrivacyStore(new SqlitePrivacyStore(Database), _settings, options.Directory.LookupCacheSize);
        OfflineMessages = new SqliteOfflineStore(Database, time);
        Database.Failed += OnStorageFailure;
    }

    public ParleyStoreOptions Options { get; }

    public ParleyDatabase Database { get; }

    public IEventLog Events => _eventLog;

    public IDeploymentSettings Settings => _settings;

    /// <summary>The CMS documents (writable on the master only).</summary>
    public ICmsStore Cms => _cms;

    public IUserDirectory Users { get; }

    public IRosterStore Rosters { get; }

    public IPrivacyStore Privacy { get; }

    public IOfflineStore OfflineMessages { get; }

    /// <summary>
    /// Opens (creating if allowed) and migrates the database, loads the settings snapshot and starts the background
    /// parts. Throws <see cref="StorageException"/> naming the path and the fix.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("Internal error: ParleyStore started twice or after disposal.");
        }

        var applied = Database.Initialize();
        _eventLog.Start();
        foreach (var migration in applied)
        {
            _eventLog.Raise(ParleyEvents.Storage.SchemaMigrationApplied, Database.FilePath, migration.Version, migration.Description);
        }

        await _cms.StartAsync(cancellationToken).ConfigureAwait(false);
        _settings.Start();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }

        Database.Failed -= OnStorageFailure;
        await _settings.DisposeAsync().ConfigureAwait(false);
        await _eventLog.StopAsync().ConfigureAwait(false);
        Database.Dispose();
        _logger.LogDebug("Store {Path} closed", Database.FilePath);
    }

    private void OnStorageFailure(StorageException failure)
    {
        if (failure.Error == StorageError.DataDirectoryUnusable)
        {
            _eventLog.Raise(ParleyEvents.Storage.DataDirectoryNotWritable, Database.DataDirectory, failure.Message);
        }
        else
        {
            _eventLog.Raise(ParleyEvents.Storage.DatabaseError, failure.Path, failure.Operation, failure.Message);
        }
    }
}
