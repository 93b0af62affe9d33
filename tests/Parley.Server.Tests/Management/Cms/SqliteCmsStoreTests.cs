using Microsoft.Extensions.Logging.Abstractions;
using Parley.Server.Diagnostics;
using Parley.Server.Directory;
using Parley.Server.Management;
using Parley.Server.Management.Cms;
using Parley.Server.Management.Documents;
using Parley.Server.Storage;
using Parley.Server.Tests.Cli;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Management.Cms;

public sealed class SqliteCmsStoreTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_change_records_revision_actor_time_and_description_and_is_read_back_normalised()
    {
        await using var store = await TestStore.OpenAsync(_temp.Path);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        var revision = await store.Cms.ChangeAsync(_ => SampleConfigurations.Small() with { Domains = ["Example.ORG", "example.com"] }, "cli:alice", "initial topology", None);

        var (read, configuration) = await store.Cms.GetAsync(None);
        Assert.Equal(revision, read);
        Assert.Equal(["example.com", "example.org"], configuration.Domains);
        Assert.Equal(3, configuration.Topology.Nodes.Count);
        var change = Assert.Single(await store.Cms.ListChangesAsync(10, None));
        Assert.Equal((revision, "cli:alice", "initial topology"), (change.Revision, change.Actor, change.Description));
        Assert.InRange(change.Time, before, DateTimeOffset.UtcNow.AddSeconds(1));
        var latest = await store.Cms.GetLatestAsync(None);
        Assert.Equal(change.Time, latest.Created);
        Assert.Equal(revision, store.Settings.Current.Revision);
        Assert.Equal(SampleConfigurations.Master, store.Settings.Current.Configuration.Topology.Nodes[0].Fqdn);
    }

    [Fact]
    public async Task An_invalid_change_writes_nothing_and_raises_an_event()
    {
        await using var store = await TestStore.OpenAsync(_temp.Path);
        await store.Cms.ChangeAsync(_ => SampleConfigurations.Small(), TestStore.Actor, "initial", None);
        var databaseBefore = ConfigCliTests.WithoutEvents(CliRunner.Snapshot(Path.Combine(_temp.Path, ParleyDatabase.FileName)));

        // A valid domain and an invalid route in one change: neither is applied.
        var refused = await Assert.ThrowsAsync<ConfigurationValidationException>(() => store.Cms.ChangeAsync(
            c => c with { Domains = [.. c.Domains, "new.example"], StaticRoutes = [new StaticRoute("bad pattern", "10.0.0.1", 5061)] },
            TestStore.Actor, "bad change", None));

        Assert.Equal("staticRoutes[0].pattern", Assert.Single(refused.Errors).Field);
        Assert.Equal(databaseBefore, ConfigCliTests.WithoutEvents(CliRunner.Snapshot(Path.Combine(_temp.Path, ParleyDatabase.FileName))));
        await store.Events.FlushAsync(None);
        var stored = await store.Events.QueryAsync(ParleyEvents.Management.ConfigurationChangeRefused.Id, null, 10, None);
        Assert.Contains("staticRoutes[0].pattern", Assert.Single(stored).Message);
    }

    [Fact]
    public async Task A_change_that_changes_nothing_makes_no_revision()
    {
        await using var store = await TestStore.OpenAsync(_temp.Path);
        var first = await store.Cms.ChangeAsync(_ => SampleConfigurations.Small(), TestStore.Actor, "initial", None);

        var second = await store.Cms.ChangeAsync(c => c with { Domains = c.Domains.Reverse().ToArray() }, TestStore.Actor, "reordered", None);

        Assert.Equal(first, second);
        Assert.Single(await store.Cms.ListChangesAsync(10, None));
    }

    [Fact]
    public async Task Only_changed_documents_get_the_new_revision_and_configuration_changed_is_raised()
    {
        await using var store = await TestStore.OpenAsync(_temp.Path);
        var first = await store.Cms.ChangeAsync(_ => SampleConfigurations.Small(), TestStore.Actor, "initial", None);
        var committed = new List<long>();
        store.Cms.Committed += committed.Add;

        var second = await store.Cms.SetDocumentAsync(DocumentNames.IncomingAcl, """[{"address":"192.0.2.0/24","description":null}]""", "admin-api:test", None);

        Assert.Equal([second], committed);
        var revisions = await ReadDocumentRevisionsAsync();
        Assert.Equal(second, revisions[DocumentNames.IncomingAcl]);
        Assert.Equal(first, revisions[DocumentNames.Topology]);
        await store.Events.FlushAsync(None);
        var changed = await store.Events.QueryAsync(ParleyEvents.Management.ConfigurationChanged.Id, null, 10, None);
        Assert.Contains(changed, e => e.Message.Contains($"revision {second} by admin-api:test"));
    }

    [Fact]
    public async Task A_document_with_an_unknown_property_is_refused_naming_it()
    {
        await using var store = await TestStore.OpenAsync(_temp.Path);

        var refused = await Assert.ThrowsAsync<ConfigurationValidationException>(() =>
            store.Cms.SetDocumentAsync(DocumentNames.Presence, """{"maxContactListSize":10,"maxWatcher":5}""", TestStore.Actor, None));

        Assert.Equal("presence.maxWatcher", Assert.Single(refused.Errors).Field);
        Assert.Empty(await store.Cms.ListChangesAsync(10, None));
    }

    [Fact]
    public async Task Domains_document_and_domains_table_stay_in_step_and_a_domain_with_users_cannot_go()
    {
        await using var store = await TestStore.OpenAsync(_temp.Path);
        await store.Users.AddDomainAsync("example.com", TestStore.Actor, None);
        await store.Cms.ChangeAsync(c => c with { Domains = [.. c.Domains, "example.org"] }, TestStore.Actor, "domain example.org added", None);
        await store.Users.AddUserAsync(TestStore.Jid("alice@example.com"), "pw", TestStore.Actor, None);

        Assert.Equal(["example.com", "example.org"], await store.Users.ListDomainsAsync(None));
        var refused = await Assert.ThrowsAsync<DirectoryException>(() => store.Users.RemoveDomainAsync("example.com", TestStore.Actor, None));
        Assert.Equal(DirectoryError.DomainHasUsers, refused.Error);
        await store.Users.RemoveDomainAsync("example.org", TestStore.Actor, None);

        Assert.Equal(["example.com"], await store.Users.ListDomainsAsync(None));
        Assert.Equal(["example.com"], (await store.Cms.GetAsync(None)).Configuration.Domains);
        Assert.True(store.Settings.Current.HostsDomain("example.com"));
        Assert.False(store.Settings.Current.HostsDomain("example.org"));
    }

    [Fact]
    public async Task A_store_that_is_not_the_master_refuses_changes_naming_the_master()
    {
        var options = TestStore.Options(_temp.Path) with { Cms = CmsOptions.ReplicaOf("cms1.example.com") };
        await using (var replica = new ParleyStore(options, TimeProvider.System, NullLoggerFactory.Instance))
        {
            await replica.StartAsync(None);
            Assert.False(replica.Cms.IsMaster);

            var refused = await Assert.ThrowsAsync<CmsNotMasterException>(() => replica.Cms.SetPresenceSettingsAsync(new PresenceSettings(), TestStore.Actor, None));

            Assert.Equal("cms1.example.com", refused.MasterFqdn);
            Assert.Contains("cms1.example.com", refused.Message);
            await replica.Events.FlushAsync(None);
            Assert.Single(await replica.Events.QueryAsync(ParleyEvents.Management.ConfigurationChangeOnReplica.Id, null, 10, None));
        }

        // The CLI opens the same data directory without knowing the role: the recorded one applies.
        await using var cli = await TestStore.OpenAsync(_temp.Path);
        Assert.Equal("cms1.example.com", cli.Cms.MasterFqdn);
        await Assert.ThrowsAsync<CmsNotMasterException>(() => cli.Users.AddDomainAsync("example.com", TestStore.Actor, None));
        Assert.Empty(await cli.Cms.ListChangesAsync(10, None));
    }

    [Fact]
    public async Task A_running_store_follows_the_recorded_role_when_the_master_moves()
    {
        // The running node's store (started as master), and the role records a master move writes meanwhile.
        await using var running = await TestStore.OpenAsync(_temp.Path);
        await running.Cms.ChangeAsync(c => c with { Domains = ["before.example.com"] }, TestStore.Actor, "before the move", None);
        await using (var movedAway = new ParleyStore(TestStore.Options(_temp.Path) with { Cms = CmsOptions.ReplicaOf("fe2.example.com") }, TimeProvider.System, NullLoggerFactory.Instance))
        {
            await movedAway.StartAsync(None);
        }

        var refused = await Assert.ThrowsAsync<CmsNotMasterException>(() => running.Cms.ChangeAsync(c => c with { Domains = ["after.example.com"] }, TestStore.Actor, "after the move", None));
        Assert.Equal("fe2.example.com", refused.MasterFqdn);
        Assert.False(running.Cms.IsMaster);
        Assert.Equal(["before.example.com"], (await running.Cms.GetAsync(None)).Configuration.Domains);

        await using (var movedBack = new ParleyStore(TestStore.Options(_temp.Path) with { Cms = CmsOptions.Master }, TimeProvider.System, NullLoggerFactory.Instance))
        {
            await movedBack.StartAsync(None);
        }

        await running.Cms.ChangeAsync(c => c with { Domains = ["after.example.com"] }, TestStore.Actor, "moved back", None);
        Assert.True(running.Cms.IsMaster);
    }

    [Fact]
    public async Task Two_stores_on_one_file_serialise_their_changes()
    {
        await using var server = await TestStore.OpenAsync(_temp.Path);
        await using var cli = await TestStore.OpenAsync(_temp.Path);

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? server : cli).Cms.ChangeAsync(
            c => c with { Domains = [.. c.Domains, $"d{i}.example.com"] }, TestStore.Actor, $"domain {i}", None)));

        Assert.Equal(10, (await server.Cms.GetAsync(None)).Configuration.Domains.Count);
        Assert.Equal(10, (await cli.Cms.ListChangesAsync(100, None)).Count);
    }

    private async Task<Dictionary<string, long>> ReadDocumentRevisionsAsync()
    {
        await using var store = await TestStore.OpenAsync(_temp.Path);
        return store.Database.Read("test", session => session.Query("SELECT name, revision FROM cms_documents", r => (r.GetString(0), r.GetInt64(1))))
            .ToDictionary(r => r.Item1, r => r.Item2);
    }
}
