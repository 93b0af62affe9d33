using Parley.Server.Privacy;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Privacy;

public sealed class SqlitePrivacyStoreTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Lists_add_without_duplicates_remove_some_or_all_and_stay_separate()
    {
        using var temp = new TempDirectory();
        await using var store = await TestStore.OpenAsync(temp.Path);
        var alice = TestStore.Jid("alice@example.com");
        var spam = TestStore.Jid("spam@example.net");
        var domain = TestStore.Jid("example.org");

        await store.Privacy.AddAsync(alice, PrivacyListKind.Block, [spam, domain, spam], None);
        await store.Privacy.AddAsync(alice, PrivacyListKind.Allow, [TestStore.Jid("bob@example.com")], None);

        Assert.Equal(2, (await store.Privacy.GetAsync(alice, PrivacyListKind.Block, None)).Count);
        await store.Privacy.RemoveAsync(alice, PrivacyListKind.Block, [spam], None);
        Assert.Equal([domain], await store.Privacy.GetAsync(alice, PrivacyListKind.Block, None));
        await store.Privacy.RemoveAsync(alice, PrivacyListKind.Block, null, None);
        Assert.Empty(await store.Privacy.GetAsync(alice, PrivacyListKind.Block, None));
        Assert.Single(await store.Privacy.GetAsync(alice, PrivacyListKind.Allow, None));
    }

    [Fact]
    public async Task Cached_lists_follow_changes_and_the_deletion_of_their_owner()
    {
        using var temp = new TempDirectory();
        await using var store = await TestStore.OpenWithDomainAsync(temp.Path);
        var alice = TestStore.Jid("alice@example.com");
        var spam = TestStore.Jid("spam@example.net");
        await store.Users.AddUserAsync(alice, "secret", TestStore.Actor, None);

        Assert.Empty(await store.Privacy.GetAsync(alice, PrivacyListKind.Block, None));
        await store.Privacy.AddAsync(alice, PrivacyListKind.Block, [spam], None);
        Assert.Equal([spam], await store.Privacy.GetAsync(alice, PrivacyListKind.Block, None));
        Assert.Equal([spam], await store.Privacy.GetAsync(alice, PrivacyListKind.Block, None));
        await store.Privacy.RemoveAsync(alice, PrivacyListKind.Block, [spam], None);
        Assert.Empty(await store.Privacy.GetAsync(alice, PrivacyListKind.Block, None));

        await store.Privacy.AddAsync(alice, PrivacyListKind.Block, [spam], None);
        Assert.Single(await store.Privacy.GetAsync(alice, PrivacyListKind.Block, None));
        await store.Users.RemoveUserAsync(alice, TestStore.Actor, None);
        Assert.Empty(await store.Privacy.GetAsync(alice, PrivacyListKind.Block, None));
    }
}
