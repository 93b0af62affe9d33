using Parley.Server.Directory;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Directory;

/// <summary>
/// User and SIP digest lookups are served from memory between directory changes, and every change (this process's at
/// once, another process's at the next revision refresh) is seen.
/// </summary>
public sealed class DirectoryLookupCacheTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_change_made_here_is_seen_at_once_by_cached_lookups()
    {
        using var temp = new TempDirectory();
        await using var store = await TestStore.OpenWithDomainAsync(temp.Path);
        var alice = TestStore.Jid("alice@example.com");
        await store.Users.AddUserAsync(alice, "old password", TestStore.Actor, None);
        var before = await store.Users.GetSipDigestCredentialsAsync(alice, None);
        Assert.True((await store.Users.FindUserAsync(alice, None))!.Enabled);

        await store.Users.SetEnabledAsync(alice, false, TestStore.Actor, None);
        await store.Users.SetPasswordAsync(alice, "new password", TestStore.Actor, None);

        Assert.False((await store.Users.FindUserAsync(alice, None))!.Enabled);
        Assert.Equal(SipDigestCredential.Derive(alice, "new password").Select(c => c.Ha1).Order(), (await store.Users.GetSipDigestCredentialsAsync(alice, None)).Select(c => c.Ha1).Order());
        Assert.NotEqual(before.Select(c => c.Ha1).Order(), (await store.Users.GetSipDigestCredentialsAsync(alice, None)).Select(c => c.Ha1).Order());

        await store.Users.RemoveUserAsync(alice, TestStore.Actor, None);
        Assert.Null(await store.Users.FindUserAsync(alice, None));
        Assert.Empty(await store.Users.GetSipDigestCredentialsAsync(alice, None));
    }

    [Fact]
    public async Task Another_process_change_is_served_from_cache_until_the_revision_moves_then_seen()
    {
        using var temp = new TempDirectory();
        await using var server = await TestStore.OpenWithDomainAsync(temp.Path);
        await using var cli = await TestStore.OpenAsync(temp.Path);
        var alice = TestStore.Jid("alice@example.com");
        await server.Users.AddUserAsync(alice, "old password", TestStore.Actor, None);
        var oldDigests = (await server.Users.GetSipDigestCredentialsAsync(alice, None)).Select(c => c.Ha1).Order().ToArray();
        Assert.True((await server.Users.FindUserAsync(alice, None))!.Enabled);

        await cli.Users.SetEnabledAsync(alice, false, TestStore.Actor, None);
        await cli.Users.SetPasswordAsync(alice, "new password", TestStore.Actor, None);

        // Not re-read from SQLite while the server's revision is unchanged (its refresh interval is long in tests).
        Assert.True((await server.Users.FindUserAsync(alice, None))!.Enabled);
        Assert.Equal(oldDigests, (await server.Users.GetSipDigestCredentialsAsync(alice, None)).Select(c => c.Ha1).Order());

        await server.Settings.RefreshAsync(None);

        Assert.False((await server.Users.FindUserAsync(alice, None))!.Enabled);
        Assert.NotEqual(oldDigests, (await server.Users.GetSipDigestCredentialsAsync(alice, None)).Select(c => c.Ha1).Order());
    }

    [Fact]
    public async Task Disabled_users_are_not_cached_so_an_account_enabled_elsewhere_works_at_once()
    {
        using var temp = new TempDirectory();
        await using var server = await TestStore.OpenWithDomainAsync(temp.Path);
        await using var cli = await TestStore.OpenAsync(temp.Path);
        var carol = TestStore.Jid("carol@example.com");
        await server.Users.AddUserAsync(carol, "secret", TestStore.Actor, None);
        await server.Users.SetEnabledAsync(carol, false, TestStore.Actor, None);
        Assert.False((await server.Users.FindUserAsync(carol, None))!.Enabled);

        await cli.Users.SetEnabledAsync(carol, true, TestStore.Actor, None);

        Assert.True((await server.Users.FindUserAsync(carol, None))!.Enabled);
    }

    [Fact]
    public async Task Uncached_reads_see_another_process_change_before_the_revision_moves()
    {
        using var temp = new TempDirectory();
        await using var server = await TestStore.OpenWithDomainAsync(temp.Path);
        await using var cli = await TestStore.OpenAsync(temp.Path);
        var dave = TestStore.Jid("dave@example.com");
        await server.Users.AddUserAsync(dave, "old password", TestStore.Actor, None);
        Assert.True((await server.Users.FindUserAsync(dave, None))!.Enabled);
        Assert.NotEmpty(await server.Users.GetSipDigestCredentialsAsync(dave, None));

        await cli.Users.SetEnabledAsync(dave, false, TestStore.Actor, None);
        await cli.Users.SetPasswordAsync(dave, "new password", TestStore.Actor, None);

        Assert.False((await server.Users.ReadUserAsync(dave, None))!.Enabled);
        Assert.Equal(
            SipDigestCredential.Derive(dave, "new password").Select(c => c.Ha1).Order(),
            (await server.Users.ReadSipDigestCredentialsAsync(dave, None)).Select(c => c.Ha1).Order());
    }

    [Fact]
    public async Task Unknown_users_are_not_cached_so_a_user_added_elsewhere_is_found_at_once()
    {
        using var temp = new TempDirectory();
        await using var server = await TestStore.OpenWithDomainAsync(temp.Path);
        await using var cli = await TestStore.OpenAsync(temp.Path);
        var bob = TestStore.Jid("bob@example.com");
        Assert.Null(await server.Users.FindUserAsync(bob, None));
        Assert.Empty(await server.Users.GetSipDigestCredentialsAsync(bob, None));

        await cli.Users.AddUserAsync(bob, "secret", TestStore.Actor, None);

        Assert.NotNull(await server.Users.FindUserAsync(bob, None));
        Assert.NotEmpty(await server.Users.GetSipDigestCredentialsAsync(bob, None));
    }

    [Fact]
    public void A_full_cache_starts_over_and_a_new_revision_empties_it()
    {
        var cache = new DirectoryLookupCache<string>(capacity: 2);
        cache.Add(TestStore.Jid("a@example.com"), "a", 1, 1);
        cache.Add(TestStore.Jid("b@example.com"), "b", 1, 1);
        cache.Add(TestStore.Jid("c@example.com"), "c", 1, 1);
        Assert.Equal(1, cache.Count);

        Assert.True(cache.TryGet(TestStore.Jid("c@example.com"), 1, out var c));
        Assert.Equal("c", c);

        cache.Add(TestStore.Jid("d@example.com"), "d", readRevision: 1, currentRevision: 2);
        Assert.False(cache.TryGet(TestStore.Jid("d@example.com"), 2, out _)); // read before the change: may be stale
        Assert.False(cache.TryGet(TestStore.Jid("c@example.com"), 2, out _));
        Assert.Equal(0, cache.Count);
    }
}
