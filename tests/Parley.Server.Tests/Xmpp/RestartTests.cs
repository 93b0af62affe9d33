using Parley.Server.Tests.Xmpp.Support;
using Parley.Xmpp;
using static Parley.Server.Tests.Xmpp.Support.XmppTestClient;

namespace Parley.Server.Tests.Xmpp;

/// <summary>What a node restart must not lose: rosters, subscriptions, blocks, offline and unacknowledged messages.</summary>
public sealed class RestartTests(ParleyNodeFixture fixture) : IClassFixture<ParleyNodeFixture>
{
    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task Rosters_subscriptions_blocks_and_offline_messages_survive_a_restart()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        var mallory = await Node.CreateUserAsync("mallory");
        await using (var a = await OnlineAsync(Node, alice))
        await using (var b = await OnlineAsync(Node, bob))
        {
            await a.SendSubscriptionAsync("subscribe", bob.Jid);
            await a.ReceiveAsync(e => IsPresence(e, bob.Jid, "subscribed"), "bob's approval");
            await b.SendSubscriptionAsync("subscribe", alice.Jid);
            await b.ReceiveAsync(e => IsPresence(e, alice.Jid, "subscribed"), "alice's approval");
            Assert.Equal("result", (await a.SetRosterItemAsync(bob.Jid, "Bobby", "Friends")).GetAttribute("type"));
            Assert.Equal("result", (await a.IqAsync(BlockingTests.Block("block", mallory.Jid))).GetAttribute("type"));
            await a.CloseAsync();
            await b.SendMessageAsync(alice.Jid, "while you were away", id: "offline-before-restart");
            await b.IqAsync(Iq("get", null, "ping", XmppNamespaces.Ping, out _));
            await b.CloseAsync();
        }

        await Node.RestartAsync();

        await using var bobAgain = await OnlineAsync(Node, bob);
        await using var aliceAgain = await LoginAsync(Node, alice);
        var roster = (await aliceAgain.GetRosterAsync()).Child("query", XmppNamespaces.Roster)!;
        var item = Assert.Single(roster.Elements());
        Assert.Equal(bob.Jid.ToString(), item.GetAttribute("jid"));
        Assert.Equal("both", item.GetAttribute("subscription"));
        Assert.Equal("Bobby", item.GetAttribute("name"));
        Assert.Equal(["Friends"], item.Elements().Select(g => g.Text).ToArray());
        Assert.Equal([mallory.Jid.ToString()], await BlockingTests.BlocklistAsync(aliceAgain));

        await aliceAgain.SendPresenceAsync(show: "chat");

        var offline = await aliceAgain.ReceiveAsync(e => e.Name == "message", "the offline message stored before the restart");
        Assert.Equal("offline-before-restart", offline.GetAttribute("id"));
        Assert.NotNull(offline.Child("delay", XmppNamespaces.Delay));
        await aliceAgain.ReceiveAsync(e => IsPresenceFrom(e, bobAgain.FullJid), "bob's presence (alice still watches bob)");
        await bobAgain.ReceiveAsync(e => IsPresenceFrom(e, aliceAgain.FullJid), "alice's presence (bob still watches alice)");
        await using var m = await OnlineAsync(Node, mallory);
        await m.SendMessageAsync(alice.Jid, "still blocked?");
        await aliceAgain.ExpectNoneAsync(e => IsMessageFrom(e, m.FullJid), "a message from mallory (still blocked)");
    }

    [Fact]
    public async Task Unacknowledged_messages_of_a_session_awaiting_resumption_go_to_offline_storage_at_shutdown_xep0198_5()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        var a = await LoginAsync(Node, alice, "phone");
        await a.EnableStreamManagementAsync();
        await a.SendPresenceAsync();
        await a.ReceiveAsync(e => IsPresenceFrom(e, a.FullJid), "the echo of initial presence");
        await using (var b = await OnlineAsync(Node, bob))
        {
            await b.SendMessageAsync(alice.Jid, "seen but never acked", id: "unacked-1");
            await a.ReceiveAsync(e => e.Name == "message", "the message before the cut");
            a.Cut();
            await a.DisposeAsync();
            await b.SendMessageAsync(alice.Jid, "sent while the connection was down", id: "unacked-2");
            await b.IqAsync(Iq("get", null, "ping", XmppNamespaces.Ping, out _));
        }

        await Node.RestartAsync();

        var stored = await Node.Store.OfflineMessages.PeekAsync(alice.Jid, CancellationToken.None);
        Assert.Equal(2, stored.Count);
        await using var again = await OnlineAsync(Node, alice);
        var first = await again.ReceiveAsync(e => e.Name == "message", "the first unacknowledged message");
        var second = await again.ReceiveAsync(e => e.Name == "message", "the second unacknowledged message");
        Assert.Equal(["unacked-1", "unacked-2"], new[] { first.GetAttribute("id")!, second.GetAttribute("id")! });
        Assert.All(new[] { first, second }, m => Assert.NotNull(m.Child("delay", XmppNamespaces.Delay)));
        Assert.All(new[] { first, second }, m => Assert.StartsWith($"{bob.Jid}/", m.GetAttribute("from")));
        await again.ExpectNoneAsync(e => e.Name == "message", "a duplicate");
    }
}
