using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Parley.Server.Storage;

/// <summary>
/// The embedded SQLite store in <c>&lt;data&gt;/parley.db</c>: WAL so the server and the CLI (another process) read
/// and write the same file at once, busy timeout 5 s, foreign keys, FULL sync (a committed change is on disk).
/// Every write is one IMMEDIATE transaction; in-process writers queue on a gate instead of spinning on SQLITE_BUSY.
/// </summary>
public sealed class ParleyDatabase : IDisposable
{
    public const string FileName = "parley.db";

    private readonly bool _createIfMissing;
    private readonly ILogger _logger;
    private readonly SqliteConnectionPool _pool;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private volatile bool _initialised;

    public ParleyDatabase(string dataDirectory, bool createIfMissing, ILogger<ParleyDatabase> logger)
    {
        DataDirectory = Path.GetFullPath(dataDirectory);
        FilePath = Path.Combine(DataDirectory, FileName);
        _createIfMissing = createIfMissing;
        _logger = logger;

        // Idempotent: selects the bundled e_sqlite3 provider for Microsoft.Data.Sqlite.Core.
        SQLitePCL.Batteries_V2.Init();
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = createIfMissing ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
            Cache = SqliteCacheMode.Private,
            DefaultTimeout = 30,
        };
        _pool = new SqliteConnectionPool(builder.ToString());
    }

    public string DataDirectory { get; }

    public string FilePath { get; }

    /// <summary>Raised for every failed operation (except those of the event writer itself) so it becomes an event.</summary>
    public event Action<StorageException>? Failed;

    /// <summary>
    /// Creates the data directory and file if allowed, switches to WAL and applies pending schema migrations.
    /// Returns the migrations applied now (empty when the schema was current).
    /// </summary>
    public IReadOnlyList<SchemaMigration> Initialize()
    {
        EnsureDataDirectory();
        try
        {
            var connection = _pool.Rent();
            var broken = false;
            try
            {
                using (var wal = connection.CreateCommand())
                {
                    // Persistent per file: once set, every process opening it uses WAL.
                    wal.CommandText = "PRAGMA journal_mode = WAL;";
                    var mode = wal.ExecuteScalar() as string;
                    if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                    {
                        _logger.LogWarning("{Path} could not switch to WAL (journal mode {Mode}); the CLI may wait for the server's writes", FilePath, mode);
                    }
                }

                var applied = Migrate(connection);
                _initialised = true;
                return applied;
            }
            catch
            {
                broken = true;
                throw;
            }
            finally
            {
                _pool.Return(connection, broken);
            }
        }
        catch (SqliteException e)
        {
            throw Report(Classify(e, "opening the store"), report: true);
        }
    }

    /// <summary>The schema version of the file (0 when empty).</summary>
    public int ReadSchemaVersion()
        => (int)Read("reading the schema version", s => s.ScalarInt64(
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'schema_version') THEN (SELECT max(version) FROM schema_version) ELSE 0 END"));

    internal T Read<T>(string operation, Func<SqliteSession, T> read, bool reportFailure = true)
    {
        EnsureInitialised();

        // A deferred transaction gives multi-statement reads one consistent snapshot.
        return InTransaction(operation, read, deferred: true, reportFailure);
    }

    internal Task<T> ReadAsync<T>(string operation, Func<SqliteSession, T> read, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Read(operation, read));
    }

    // A write waits for the disk (FULL sync): on a socket event thread it would hold up every connection that thread
    // serves, so it moves to the pool first. Reads stay where they are called: in WAL mode they never wait for a writer,
    // and they are answered from SQLite's page cache.
    internal Task<T> WriteAsync<T>(string operation, Func<SqliteSession, T> write, CancellationToken cancellationToken, bool reportFailure = true)
        => OnIoThread
            ? Task.Run(() => WriteInTurnAsync(operation, write, reportFailure, cancellationToken), cancellationToken)
            : WriteInTurnAsync(operation, write, reportFailure, cancellationToken);

    private async Task<T> WriteInTurnAsync<T>(string operation, Func<SqliteSession, T> write, bool reportFailure, CancellationToken cancellationToken)
    {
        EnsureInitialised();
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Write(operation, write, reportFailure);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// True on a thread that is not the pool's: the socket event threads, which run socket continuations inline
    /// (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c>, set by <c>parley serve</c>), and the SIP UDP receive threads.
    /// Writes started there run on the pool instead, so a slow disk never stalls the network.
    /// </summary>
    private static bool OnIoThread => !Thread.CurrentThread.IsThreadPoolThread;

    // IMMEDIATE takes the write lock up front, so busy_timeout applies; a deferred transaction that upgrades to a
    // writer after another process committed would fail with SQLITE_BUSY at once.
    private T Write<T>(string operation, Func<SqliteSession, T> write, bool reportFailure)
        => InTransaction(operation, write, deferred: false, reportFailure);

    private T InTransaction<T>(string operation, Func<SqliteSession, T> work, bool deferred, bool reportFailure)
    {
        var connection = RentOrThrow(operation, reportFailure);
        var broken = false;
        try
        {
            using var transaction = connection.BeginTransaction(deferred);
            var result = work(new SqliteSession(connection, transaction));
            transaction.Commit();
            return result;
        }
        catch (SqliteException e)
        {
            broken = true;
            throw Report(Classify(e, operation), reportFailure);
        }
        finally
        {
            // A refusal thrown by the store's own checks rolled the transaction back on dispose; the connection is fine.
            _pool.Return(connection, broken);
        }
    }

    public void Dispose()
    {
        _pool.Dispose();
        _writeGate.Dispose();
    }

    private void EnsureInitialised()
    {
        if (!_initialised)
        {
            throw new InvalidOperationException($"Internal error: {FilePath} used before ParleyDatabase.Initialize (start the ParleyStore first).");
        }
    }

    private SqliteConnection RentOrThrow(string operation, bool reportFailure)
    {
        try
        {
            return _pool.Rent();
        }
        catch (SqliteException e)
        {
            throw Report(Classify(e, operation), reportFailure);
        }
    }

    private void EnsureDataDirectory()
    {
        if (File.Exists(DataDirectory))
        {
            throw Report(new StorageException(StorageError.DataDirectoryUnusable, DataDirectory, "opening the data directory",
                $"{DataDirectory} is a file, not a directory. Fix: pass --data with a directory path (or set dataDirectory in the bootstrap file)."), report: true);
        }

        if (!System.IO.Directory.Exists(DataDirectory) || !File.Exists(FilePath))
        {
            if (!_createIfMissing)
            {
                throw new StorageException(StorageError.NotInitialised, FilePath, "opening the store",
                    $"No Parley store at {FilePath}. Fix: point --data at the server's data directory, or create the store with `parley domain add <domain> --data {DataDirectory}` or `parley serve --data {DataDirectory}`.");
            }

            try
            {
                System.IO.Directory.CreateDirectory(DataDirectory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Report(new StorageException(StorageError.DataDirectoryUnusable, DataDirectory, "creating the data directory",
                    $"Cannot create data directory {DataDirectory}: {e.Message} Fix: choose a writable location with --data, or create the directory and give the user running parley write access.", e), report: true);
            }
        }
    }

    private IReadOnlyList<SchemaMigration> Migrate(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        var session = new SqliteSession(connection, transaction);
        session.Execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_ms INTEGER NOT NULL)");
        var current = (int)session.ScalarInt64("SELECT coalesce(max(version), 0) FROM schema_version");
        if (current > SchemaMigrations.Latest)
        {
            throw new StorageException(StorageError.SchemaTooNew, FilePath, "opening the store",
                $"{FilePath} has schema version {current}, newer than this Parley understands ({SchemaMigrations.Latest}). Fix: run the newer Parley version that wrote it, or restore a backup made by this version.");
        }

        var applied = new List<SchemaMigration>();
        foreach (var migration in SchemaMigrations.All.Where(m => m.Version > current))
        {
            session.Execute(migration.Sql);
            session.Execute("INSERT INTO schema_version (version, description, applied_ms) VALUES ($v, $d, $t)",
                ("$v", migration.Version), ("$d", migration.Description), ("$t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            applied.Add(migration);
        }

        transaction.Commit();
        foreach (var migration in applied)
        {
            _logger.LogInformation("{Path}: applied schema migration {Version} ({Description})", FilePath, migration.Version, migration.Description);
        }

        return applied;
    }

    private StorageException Report(StorageException exception, bool report)
    {
        _logger.LogError(exception, "Storage failure on {Path} while {Operation}: {Error}", exception.Path, exception.Operation, exception.Error);
        if (report)
        {
            try
            {
                Failed?.Invoke(exception);
            }
            catch (Exception e)
            {
                // The observer (event log) must never turn a storage failure into a different one.
                _logger.LogError(e, "Storage failure observer threw");
            }
        }

        return exception;
    }

    private StorageException Classify(SqliteException e, string operation)
    {
        var primary = e.SqliteErrorCode & 0xFF;
        var (error, fix) = primary switch
        {
            5 or 6 => (StorageError.Busy, $"another process kept the database locked for more than 5 s. Fix: look for a stuck process using {FilePath}, then retry."),
            8 => (StorageError.ReadOnly, $"the database is read-only. Fix: give the user running parley write access to {DataDirectory} and {FileName} (and its -wal/-shm files), and check the filesystem is not mounted read-only."),
            13 => (StorageError.DiskFull, $"the disk is full. Fix: free space on the filesystem holding {DataDirectory}, then retry; no change was half-written."),
            11 or 26 => (StorageError.Corrupt, $"the file is damaged or not a Parley database. Fix: stop Parley, move {FilePath} aside and restore it from a backup."),
            3 or 14 or 23 => (StorageError.DataDirectoryUnusable, $"the database file cannot be opened. Fix: check that {DataDirectory} exists and is readable and writable by the user running parley."),
            _ => (StorageError.Failed, "Fix: check the disk and the log for details; retry."),
        };
        return new StorageException(error, FilePath, operation, $"{FilePath}: storage error while {operation}: {e.Message.TrimEnd('.')}; {fix}", e);
    }
}
