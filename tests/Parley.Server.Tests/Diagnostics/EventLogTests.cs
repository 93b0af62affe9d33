using Microsoft.Extensions.Logging.Abstractions;
using Parley.Server.Diagnostics;
using Parley.Server.Storage;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Diagnostics;

public sealed class EventLogTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Raised_events_are_stored_with_formatted_message_cause_and_resolution()
    {
        using var temp = new TempDirectory();
        await using var store = await TestStore.OpenAsync(temp.Path);

        store.Events.Raise(ParleyEvents.Authentication.Failed, "alice@example.com", "192.0.2.7", "SCRAM-SHA-256", "wrong password");
        store.Events.Raise(ParleyEvents.Limits.OfflineQueueFull, "bob@example.com", 100, "carol@example.com");
        await store.Events.FlushAsync(None);

        var all = await store.Events.QueryAsync(null, null, 10, None);
        var auth = Assert.Single(await store.Events.QueryAsync(3000, null, 10, None));

        Assert.Equal(2, all.Count(e => e.Id is 3000 or 3202));
        Assert.Equal(3202, all[0].Id); // newest first
        Assert.Equal("Authentication failed for alice@example.com from 192.0.2.7 with SCRAM-SHA-256: wrong password", auth.Message);
        Assert.Equal(ParleyEvents.Authentication.Failed.Cause, auth.Cause);
        Assert.Equal(ParleyEvents.Authentication.Failed.Resolution, auth.Resolution);
        Assert.Equal(EventLevel.Warning, auth.Level);
        Assert.Equal("Authentication", auth.Source);
    }

    [Fact]
    public async Task Since_filters_by_time()
    {
        using var temp = new TempDirectory();
        await using var store = await TestStore.OpenAsync(temp.Path);
        store.Events.Raise(ParleyEvents.Lifecycle.NodeStopped, "n1", "test");
        await store.Events.FlushAsync(None);

        Assert.NotEmpty(await store.Events.QueryAsync(3401, DateTimeOffset.UtcNow.AddMinutes(-1), 10, None));
        Assert.Empty(await store.Events.QueryAsync(3401, DateTimeOffset.UtcNow.AddMinutes(1), 10, None));
    }

    [Fact]
    public async Task A_new_store_records_its_schema_migration_as_an_event()
    {
        using var temp = new TempDirectory();
        await using var store = await TestStore.OpenAsync(temp.Path);
        await store.Events.FlushAsync(None);
        var migrations = await store.Events.QueryAsync(ParleyEvents.Storage.SchemaMigrationApplied.Id, null, 10, None);
        Assert.Equal(SchemaMigrations.All.Count, migrations.Count);
        Assert.All(migrations, migration => Assert.Contains(store.Database.FilePath, migration.Message));
    }

    [Fact]
    public async Task Only_the_newest_events_are_kept_so_a_flood_cannot_fill_the_disk()
    {
        using var temp = new TempDirectory();
        using var database = new ParleyDatabase(temp.Path, createIfMissing: true, NullLogger<ParleyDatabase>.Instance);
        database.Initialize();
        var store = new SqliteEventStore(database, maxStoredEvents: 5);
        var time = DateTimeOffset.UtcNow;
        var batch = Enumerable.Range(1, 8)
            .Select(i => new EventRecord(0, 3000, "Authentication", EventLevel.Warning, time, $"failure {i}", "cause", "resolution", "n1"))
            .ToList();

        await store.InsertAsync(batch.Take(3).ToList(), None);
        await store.InsertAsync(batch.Skip(3).ToList(), None);

        var kept = await store.QueryAsync(null, null, 100, None);
        Assert.Equal(["failure 8", "failure 7", "failure 6", "failure 5", "failure 4"], kept.Select(e => e.Message));
    }

    [Fact]
    public async Task A_full_queue_drops_and_counts_instead_of_blocking_then_reports_the_drop()
    {
        using var temp = new TempDirectory();
        using var database = new ParleyDatabase(temp.Path, createIfMissing: true, NullLogger<ParleyDatabase>.Instance);
        database.Initialize();
        var log = new EventLog(new SqliteEventStore(database, maxStoredEvents: 1000), new EventLogOptions { QueueCapacity = 2, NodeName = "n1" }, TimeProvider.System, NullLogger<EventLog>.Instance);

        for (var i = 0; i < 5; i++)
        {
            log.Raise(ParleyEvents.Limits.TooManyConnections, "192.0.2.1", i, 4);
        }

        Assert.Equal(3, log.DroppedCount);
        log.Start();
        await log.FlushAsync(None);
        await log.StopAsync();

        var stored = await log.QueryAsync(null, null, 10, None);
        Assert.Equal(2, stored.Count(e => e.Id == ParleyEvents.Limits.TooManyConnections.Id));
        var dropped = Assert.Single(stored, e => e.Id == ParleyEvents.Storage.EventsDropped.Id);
        Assert.StartsWith("3 events", dropped.Message);
        Assert.All(stored, e => Assert.Equal("n1", e.Node));
    }

    [Fact]
    public async Task A_storage_failure_surfaces_as_a_typed_exception_and_a_storage_event()
    {
        using var temp = new TempDirectory();
        await using var store = await TestStore.OpenAsync(temp.Path);
        DamageTable(store.Database.FilePath, "offline_messages");

        var error = await Assert.ThrowsAsync<StorageException>(() =>
            store.OfflineMessages.TryEnqueueAsync(TestStore.Jid("alice@example.com"), "<message/>", 10, None));
        await store.Events.FlushAsync(None);

        Assert.Equal(StorageError.Failed, error.Error);
        Assert.Contains(store.Database.FilePath, error.Message);
        Assert.Contains("Fix:", error.Message);
        var stored = Assert.Single(await store.Events.QueryAsync(ParleyEvents.Storage.DatabaseError.Id, null, 10, None));
        Assert.Contains("storing an offline message", stored.Message);
        Assert.Contains(store.Database.FilePath, stored.Message);
    }

    private static void DamageTable(string path, string table)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA busy_timeout = 5000; DROP TABLE {table};";
        command.ExecuteNonQuery();
    }
}
