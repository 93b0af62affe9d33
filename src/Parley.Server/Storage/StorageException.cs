namespace Parley.Server.Storage;

/// <summary>Why the store could not do what was asked; decides the event raised and the CLI exit code.</summary>
public enum StorageError
{
    /// <summary>The data directory is missing, not a directory, or cannot be created or written.</summary>
    DataDirectoryUnusable,

    /// <summary>The data directory holds no Parley store and the caller asked not to create one.</summary>
    NotInitialised,

    /// <summary>The database file or its directory is read-only.</summary>
    ReadOnly,

    /// <summary>The disk (or the database's size limit) is full.</summary>
    DiskFull,

    /// <summary>The file is not a SQLite database or is damaged.</summary>
    Corrupt,

    /// <summary>Another process held a lock for longer than the busy timeout.</summary>
    Busy,

    /// <summary>The schema was written by a newer Parley.</summary>
    SchemaTooNew,

    /// <summary>Any other I/O or database failure.</summary>
    Failed,
}

/// <summary>
/// A store operation failed. The message names the database path, what was being done, and the fix; nothing
/// was half-written (every change runs in a transaction that was rolled back).
/// </summary>
public sealed class StorageException(StorageError error, string path, string operation, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public StorageError Error { get; } = error;

    /// <summary>The database file or data directory concerned.</summary>
    public string Path { get; } = path;

    /// <summary>What was being done, e.g. "adding user alice@example.com".</summary>
    public string Operation { get; } = operation;
}
