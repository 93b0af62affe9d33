using System.Text.Json;
using Microsoft.Data.Sqlite;
using Parley.Server.Management;
using Parley.Server.Management.Documents;
using Parley.Server.Storage;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Management.Cms;

/// <summary>A data directory written before the CMS (schema 3) keeps its domains and presence settings.</summary>
public sealed class CmsMigrationTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Existing_domains_and_presence_settings_become_documents()
    {
        var presence = new PresenceSettings { MaxContactListSize = null, MaxWatchers = 42, AutoApproveLocalDomain = false };
        CreateSchema3Store(["example.org", "example.com"], JsonSerializer.Serialize(presence), revisions: 3);

        await using var store = await TestStore.OpenAsync(_temp.Path);

        var (revision, configuration) = await store.Cms.GetAsync(None);
        Assert.Equal(3, revision);
        Assert.Equal(["example.com", "example.org"], configuration.Domains);
        Assert.Equal(presence, configuration.Presence);
        Assert.Equal(presence, store.Settings.Current.Presence);
        Assert.True(store.Settings.Current.HostsDomain("example.org"));
        Assert.Equal(new Topology().Nodes, configuration.Topology.Nodes);
        Assert.Equal(0, store.Database.Read("test", s => s.ScalarInt64("SELECT count(*) FROM settings WHERE name = 'presence'")));

        // Users keep their domain, and the next change builds on the migrated documents.
        await store.Users.AddUserAsync(TestStore.Jid("alice@example.com"), "pw", TestStore.Actor, None);
        await store.Cms.ChangeAsync(c => c with { Domains = [.. c.Domains, "example.net"] }, TestStore.Actor, "domain example.net added", None);
        Assert.Equal(["example.com", "example.net", "example.org"], (await store.Cms.GetAsync(None)).Configuration.Domains);
        Assert.Equal(42, store.Settings.Current.Presence.MaxWatchers);
    }

    [Fact]
    public async Task A_store_without_presence_settings_or_domains_migrates_to_defaults()
    {
        CreateSchema3Store([], presenceJson: null, revisions: 0);

        await using var store = await TestStore.OpenAsync(_temp.Path);

        var (revision, configuration) = await store.Cms.GetAsync(None);
        Assert.Equal(0, revision);
        Assert.Empty(configuration.Domains);
        Assert.Equal(new PresenceSettings(), configuration.Presence);
        Assert.Equal(SchemaMigrations.Latest, store.Database.ReadSchemaVersion());
    }

    private void CreateSchema3Store(string[] domains, string? presenceJson, int revisions)
    {
        SQLitePCL.Batteries_V2.Init();
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_temp.Path, ParleyDatabase.FileName)};Pooling=False");
        connection.Open();
        Execute(connection, "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_ms INTEGER NOT NULL)");
        foreach (var migration in SchemaMigrations.All.Where(m => m.Version <= 3))
        {
            Execute(connection, migration.Sql);
            Execute(connection, $"INSERT INTO schema_version VALUES ({migration.Version}, 'old', 0)");
        }

        for (var i = 1; i <= revisions; i++)
        {
            Execute(connection, $"INSERT INTO revisions (time_ms, actor, description) VALUES ({i * 1000}, 'cli:old', 'change {i}')");
        }

        foreach (var domain in domains)
        {
            Execute(connection, $"INSERT INTO domains (name, created_ms) VALUES ('{domain}', 0)");
        }

        if (presenceJson is not null)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO settings (name, value) VALUES ('presence', $value)";
            command.Parameters.AddWithValue("$value", presenceJson);
            command.ExecuteNonQuery();
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
