using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Server.Storage;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Storage;

public sealed class ParleyDatabaseTests
{
    [Fact]
    public async Task First_start_creates_the_file_in_wal_mode_and_records_the_schema_version()
    {
        using var temp = new TempDirectory();
        var data = temp.Combine("data");
        await using (var store = await TestStore.OpenAsync(data))
        {
            Assert.Equal(SchemaMigrations.Latest, store.Database.ReadSchemaVersion());
        }

        Assert.True(File.Exists(Path.Combine(data, ParleyDatabase.FileName)));
        Assert.Equal("wal", Pragma(Path.Combine(data, ParleyDatabase.FileName), "journal_mode"));
    }

    [Fact]
    public async Task A_write_started_on_a_thread_outside_the_pool_runs_on_the_pool()
    {
        // The socket event threads (inline completions) and the SIP UDP receive threads are not pool threads: a write,
        // which waits for the disk, must not hold them up.
        using var temp = new TempDirectory();
        using var database = new ParleyDatabase(temp.Path, createIfMissing: true, NullLogger<ParleyDatabase>.Instance);
        database.Initialize();
        Task<bool>? write = null;
        var io = new Thread(() => write = database.WriteAsync("testing", _ => Thread.CurrentThread.IsThreadPoolThread, CancellationToken.None));
        io.Start();
        io.Join();

        Assert.True(await write!);
        Assert.True(await Task.Run(() => database.WriteAsync("testing", _ => Thread.CurrentThread.IsThreadPoolThread, CancellationToken.None)));
    }

    [Fact]
    public void The_tests_run_with_socket_continuations_inline_as_parley_serve_does()
        => Assert.True(Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") == "1",
            "tests/parley.runsettings (RunSettingsFilePath in Directory.Build.props) sets DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 for the test host, as src/Parley/SocketContinuations.cs does for parley serve.");

    [Fact]
    public void Migrations_apply_once()
    {
        using var temp = new TempDirectory();
        using var first = new ParleyDatabase(temp.Path, createIfMissing: true, NullLogger<ParleyDatabase>.Instance);
        Assert.Equal(SchemaMigrations.All.Count, first.Initialize().Count);
        using var second = new ParleyDatabase(temp.Path, createIfMissing: true, NullLogger<ParleyDatabase>.Instance);
        Assert.Empty(second.Initialize());
    }

    [Fact]
    public void Opening_without_create_on_an_empty_place_creates_nothing()
    {
        using var temp = new TempDirectory();
        var data = temp.Combine("absent");
        using var database = new ParleyDatabase(data, createIfMissing: false, NullLogger<ParleyDatabase>.Instance);
        var error = Assert.Throws<StorageException>(() => database.Initialize());
        Assert.Equal(StorageError.NotInitialised, error.Error);
        Assert.Contains(data, error.Message);
        Assert.Contains("Fix:", error.Message);
        Assert.False(System.IO.Directory.Exists(data));
    }

    [Fact]
    public void Data_directory_under_a_regular_file_is_reported_with_path_and_fix()
    {
        using var temp = new TempDirectory();
        var file = temp.Combine("a-file");
        File.WriteAllText(file, "x");
        var data = Path.Combine(file, "data");
        using var database = new ParleyDatabase(data, createIfMissing: true, NullLogger<ParleyDatabase>.Instance);
        var failures = new List<StorageException>();
        database.Failed += failures.Add;

        var error = Assert.Throws<StorageException>(() => database.Initialize());

        Assert.Equal(StorageError.DataDirectoryUnusable, error.Error);
        Assert.Contains(data, error.Message);
        Assert.Contains("Fix:", error.Message);
        Assert.Single(failures);
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_reported_as_corrupt()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine(ParleyDatabase.FileName), new string('x', 8192));
        using var database = new ParleyDatabase(temp.Path, createIfMissing: false, NullLogger<ParleyDatabase>.Instance);
        var error = Assert.Throws<StorageException>(() => database.Initialize());
        Assert.Equal(StorageError.Corrupt, error.Error);
        Assert.Contains("backup", error.Message);
    }

    [Fact]
    public async Task Two_stores_on_one_file_write_at_the_same_time_without_losing_anything()
    {
        using var temp = new TempDirectory();
        await using var first = await TestStore.OpenWithDomainAsync(temp.Path);
        await using var second = await TestStore.OpenAsync(temp.Path);
        var owner = TestStore.Jid("alice@example.com");

        var writers = Enumerable.Range(0, 2).Select(writer => Task.Run(async () =>
        {
            var store = writer == 0 ? first : second;
            for (var i = 0; i < 50; i++)
            {
                await store.OfflineMessages.TryEnqueueAsync(owner, $"<message id='{writer}-{i}'/>", 1000, CancellationToken.None);
                await store.Rosters.SaveAsync(owner, Parley.Server.Roster.RosterItem.Empty(TestStore.Jid($"c{writer}-{i}@example.com")), CancellationToken.None);
            }
        })).ToArray();
        await Task.WhenAll(writers);

        Assert.Equal(100, (await first.OfflineMessages.PeekAsync(owner, CancellationToken.None)).Count);
        var roster = await second.Rosters.GetAsync(owner, CancellationToken.None);
        Assert.Equal(100, roster.Items.Count);
        Assert.Equal(100, roster.Version);
    }

    private static string Pragma(string path, string name)
    {
        SQLitePCL.Batteries_V2.Init();
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name}";
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)!;
    }
}
