using Parley.Server.Management;
using Parley.Server.Management.Documents;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Management;

public sealed class SqliteDeploymentSettingsTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_new_store_has_the_seed_defaults_at_revision_zero()
    {
        using var temp = new TempDirectory();
        await using var store = await TestStore.OpenAsync(temp.Path);

        var current = store.Settings.Current;

        Assert.Equal(0, current.Revision);
        Assert.Empty(current.Domains);
        Assert.Equal(200, current.Presence.MaxContactListSize);
        Assert.Equal(200, current.Presence.MaxWatchers);
        Assert.True(current.Presence.AutoApproveLocalDomain);
    }

    [Fact]
    public async Task Presence_change_makes_a_revision_and_updates_the_snapshot()
    {
        using var temp = new TempDirectory();
        await using var store = await TestStore.OpenAsync(temp.Path);
        var settings = new PresenceSettings { MaxContactListSize = null, MaxWatchers = 50, AutoApproveLocalDomain = false };

        await store.Cms.SetPresenceSettingsAsync(settings, "cli:root", None);

        Assert.Equal(1, store.Settings.Current.Revision);
        Assert.Equal(settings, store.Settings.Current.Presence);
        var change = Assert.Single(await store.Cms.ListChangesAsync(10, None));
        Assert.Equal("cli:root", change.Actor);
        Assert.Contains("max contacts unlimited", change.Description);
    }

    [Theory]
    [InlineData("presence.maxWatchers", 0, 50)]
    [InlineData("presence.notifyCoalescingMs", 200, -1)]
    [InlineData("presence.notifyCoalescingMs", 200, 1001)]
    public async Task Out_of_range_limits_are_refused_and_change_nothing(string field, int maxWatchers, int coalescingMs)
    {
        using var temp = new TempDirectory();
        await using var store = await TestStore.OpenAsync(temp.Path);
        var refused = await Assert.ThrowsAsync<ConfigurationValidationException>(() =>
            store.Cms.SetPresenceSettingsAsync(new PresenceSettings { MaxWatchers = maxWatchers, NotifyCoalescingMs = coalescingMs }, "cli:root", None));
        Assert.Equal(field, Assert.Single(refused.Errors).Field);
        Assert.Empty(await store.Cms.ListChangesAsync(10, None));
    }

    [Fact]
    public async Task A_change_made_by_another_instance_is_visible_after_refresh()
    {
        using var temp = new TempDirectory();
        await using var server = await TestStore.OpenAsync(temp.Path);
        await using var cli = await TestStore.OpenAsync(temp.Path);
        Assert.False(server.Settings.Current.HostsDomain("example.com"));

        await cli.Users.AddDomainAsync("example.com", "cli:root", None);
        await cli.Cms.SetPresenceSettingsAsync(new PresenceSettings { MaxWatchers = 7 }, "cli:root", None);
        var before = server.Settings.Current;
        var after = await server.Settings.RefreshAsync(None);

        Assert.Equal(0, before.Revision);
        Assert.Equal(2, after.Revision);
        Assert.True(after.HostsDomain("example.com"));
        Assert.Equal(7, after.Presence.MaxWatchers);
        Assert.Same(after, server.Settings.Current);
    }

    [Fact]
    public async Task The_background_refresh_picks_up_another_process_change_without_being_asked()
    {
        using var temp = new TempDirectory();
        await using var server = await TestStore.OpenAsync(temp.Path, refresh: TimeSpan.FromMilliseconds(50));
        await using var cli = await TestStore.OpenAsync(temp.Path);

        await cli.Users.AddDomainAsync("example.org", "cli:root", None);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!server.Settings.Current.HostsDomain("example.org") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(server.Settings.Current.HostsDomain("example.org"));
    }

    [Fact]
    public async Task Unchanged_revision_keeps_the_same_snapshot_instance()
    {
        using var temp = new TempDirectory();
        await using var store = await TestStore.OpenAsync(temp.Path);
        var first = await store.Settings.RefreshAsync(None);
        Assert.Same(first, await store.Settings.RefreshAsync(None));
    }
}
