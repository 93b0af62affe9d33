using Parley.Server.Roster;
using Parley.Server.Storage;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Storage;

public sealed class StoredJidCacheTests
{
    [Fact]
    public async Task Rosters_of_different_owners_share_one_address_object_per_contact()
    {
        using var temp = new TempDirectory();
        await using var store = await TestStore.OpenAsync(temp.Path);
        var carol = TestStore.Jid("carol@example.com");
        foreach (var owner in new[] { "alice@example.com", "bob@example.com" })
        {
            await store.Rosters.SaveAsync(TestStore.Jid(owner), RosterItem.Empty(carol) with { Hidden = false, Subscription = Subscription.Both }, CancellationToken.None);
        }

        var alices = await store.Rosters.GetAsync(TestStore.Jid("alice@example.com"), CancellationToken.None);
        var bobs = await store.Rosters.GetAsync(TestStore.Jid("bob@example.com"), CancellationToken.None);

        Assert.Same(Assert.Single(alices.Items).Contact, Assert.Single(bobs.Items).Contact);
        Assert.Same(alices.Items[0].Groups, bobs.Items[0].Groups); // the shared empty group list
    }

    [Fact]
    public void Past_its_capacity_the_cache_still_parses_but_keeps_nothing_more()
    {
        var cache = new StoredJidCache(capacity: 1);
        var first = cache.Parse("a@example.com");
        var second = cache.Parse("b@example.com");

        Assert.Same(first, cache.Parse("a@example.com"));
        Assert.NotSame(second, cache.Parse("b@example.com"));
        Assert.Equal(second, cache.Parse("b@example.com"));
    }
}
