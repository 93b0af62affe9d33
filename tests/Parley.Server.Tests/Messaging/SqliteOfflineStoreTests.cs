using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Messaging;

public sealed class SqliteOfflineStoreTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Messages_are_kept_oldest_first_up_to_the_bound_and_removed_up_to_an_id()
    {
        using var temp = new TempDirectory();
        await using var store = await TestStore.OpenAsync(temp.Path);
        var alice = TestStore.Jid("alice@example.com");

        for (var i = 0; i < 3; i++)
        {
            Assert.True(await store.OfflineMessages.TryEnqueueAsync(alice, $"<message id='{i}'/>", 3, None));
        }

        Assert.False(await store.OfflineMessages.TryEnqueueAsync(alice, "<message id='overflow'/>", 3, None));
        var queued = await store.OfflineMessages.PeekAsync(alice.WithResource("laptop"), None);
        Assert.Equal(["<message id='0'/>", "<message id='1'/>", "<message id='2'/>"], queued.Select(m => m.StanzaXml));

        await store.OfflineMessages.RemoveAsync(alice, queued[1].Id, None);
        var left = Assert.Single(await store.OfflineMessages.PeekAsync(alice, None));
        Assert.Equal("<message id='2'/>", left.StanzaXml);
        Assert.True(await store.OfflineMessages.TryEnqueueAsync(alice, "<message id='3'/>", 3, None));
    }
}
