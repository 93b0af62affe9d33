using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Parley.Server.Storage;

/// <summary>
/// Keeps a few configured connections open so hot paths skip the open + PRAGMA cost. Any number may be rented at
/// once (SQLite in WAL mode runs readers beside one writer); at most <see cref="MaxIdle"/> are kept when returned.
/// </summary>
internal sealed class SqliteConnectionPool(string connectionString) : IDisposable
{
    public const int MaxIdle = 8;

    // Per-connection settings: wait for other writers (the CLI, another node process) instead of failing at once;
    // FULL sync so a committed change survives power loss (WAL + NORMAL may lose the last commits).
    private const string ConnectionPragmas = "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;";

    private readonly ConcurrentBag<SqliteConnection> _idle = new();
    private int _idleCount;
    private volatile bool _disposed;

    public SqliteConnection Rent()
    {
        if (_idle.TryTake(out var pooled))
        {
            Interlocked.Decrement(ref _idleCount);
            return pooled;
        }

        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = ConnectionPragmas;
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Returns a connection; a broken one (<paramref name="broken"/>) is closed, never reused.</summary>
    public void Return(SqliteConnection connection, bool broken)
    {
        if (broken || _disposed || connection.State != System.Data.ConnectionState.Open)
        {
            connection.Dispose();
            return;
        }

        if (Interlocked.Increment(ref _idleCount) > MaxIdle)
        {
            Interlocked.Decrement(ref _idleCount);
            connection.Dispose();
            return;
        }

        _idle.Add(connection);
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var connection))
        {
            connection.Dispose();
        }
    }
}
