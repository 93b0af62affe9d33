using Parley.Server.Roster;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Roster;

public sealed class SqliteRosterStoreTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Items_round_trip_with_groups_and_flags_and_each_change_bumps_the_version()
    {
        using var temp = new TempDirectory();
        await using var store = await TestStore.OpenAsync(temp.Path);
        var alice = TestStore.Jid("alice@example.com");
        var bob = TestStore.Jid("bob@example.com");
        var item = new RosterItem(bob, "Bob", ["Friends", "Work"], Subscription.To, PendingOut: false, PendingIn: true, PreApproved: true, Hidden: false);

        Assert.Equal(0, (await store.Rosters.GetAsync(alice, None)).Version);
        Assert.Equal(1, await store.Rosters.SaveAsync(alice, item, None));
        Assert.Equal(2, await store.Rosters.SaveAsync(alice, item with { Name = "Robert" }, None));

        var found = await store.Rosters.FindAsync(alice.WithResource("phone"), bob, None);
        Assert.NotNull(found);
        Assert.Equal("Robert", found.Name);
        Assert.Equal(["Friends", "Work"], found.Groups);
        Assert.Equal(Subscription.To, found.Subscription);
        Assert.True(found.PendingIn);
        Assert.True(found.PreApproved);
        Assert.False(found.PendingOut);
        Assert.False(found.Hidden);

        Assert.Equal(3, await store.Rosters.DeleteAsync(alice, bob, None));
        Assert.Equal(3, await store.Rosters.DeleteAsync(alice, bob, None));
        var roster = await store.Rosters.GetAsync(alice, None);
        Assert.Equal(3, roster.Version);
        Assert.Empty(roster.Items);
    }

    [Fact]
    public async Task Rosters_of_different_owners_are_separate()
    {
        using var temp = new TempDirectory();
        await using var store = await TestStore.OpenAsync(temp.Path);
        var alice = TestStore.Jid("alice@example.com");
        var bob = TestStore.Jid("bob@example.com");
        await store.Rosters.SaveAsync(alice, RosterItem.Empty(bob), None);

        Assert.Empty((await store.Rosters.GetAsync(bob, None)).Items);
        Assert.Null(await store.Rosters.FindAsync(bob, alice, None));
    }
}
