namespace Parley.Server.Diagnostics;

public static partial class ParleyEvents
{
    /// <summary>3300–3399: the store.</summary>
    public static class Storage
    {
        /// <summary>{0} database path, {1} operation, {2} error.</summary>
        public static readonly EventDefinition DatabaseError = new(
            3300, StorageSource, EventLevel.Error,
            "Database error on {0} while {1}: {2}",
            "The store could not read or write: disk full, read-only file system, file permissions, a damaged file, or a lock held too long by another process.",
            "Read the error text: free disk space, make the data directory writable by the user running parley, or restore parley.db from a backup if it is damaged. The change that failed was not applied.");

        /// <summary>{0} data directory, {1} reason.</summary>
        public static readonly EventDefinition DataDirectoryNotWritable = new(
            3301, StorageSource, EventLevel.Critical,
            "Data directory {0} is not usable: {1}",
            "The data directory does not exist and cannot be created, is a file, or is not writable by the user running parley.",
            "Create the directory and give the parley user write access, or choose another one with --data or dataDirectory in the bootstrap file.");

        /// <summary>{0} database path, {1} schema version, {2} description.</summary>
        public static readonly EventDefinition SchemaMigrationApplied = new(
            3302, StorageSource, EventLevel.Information,
            "Store {0} migrated to schema version {1}: {2}",
            "This Parley version needs a newer store schema and upgraded it in one transaction.",
            "No action needed. Older Parley versions can no longer open this store; keep a backup if you may downgrade.");

        /// <summary>{0} number of events dropped.</summary>
        public static readonly EventDefinition EventsDropped = new(
            3303, StorageSource, EventLevel.Warning,
            "{0} events were not stored because the event queue was full",
            "Events were raised faster than the store could write them (a burst of failures, or a slow disk).",
            "The dropped events were still written to the log. Check the disk's health and what raised so many events.");
    }
}
