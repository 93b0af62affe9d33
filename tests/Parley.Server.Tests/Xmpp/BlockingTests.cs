using Parley.Server.Tests.Xmpp.Support;
using Parley.Xmpp;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Xml;
using static Parley.Server.Tests.Xmpp.Support.XmppTestClient;

namespace Parley.Server.Tests.Xmpp;

/// <summary>XEP-0191 blocking, polite: a blocked contact sees the user offline and is never told.</summary>
public sealed class BlockingTests(ParleyNodeFixture fixture) : IClassFixture<ParleyNodeFixture>
{
    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task Blocklist_get_block_and_unblock_push_to_every_interested_resource_xep0191_3()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var desk = await LoginAsync(Node, alice, "desk");
        await using var phone = await LoginAsync(Node, alice, "phone");
        Assert.Empty(await BlocklistAsync(desk));
        Assert.Empty(await BlocklistAsync(phone));

        var blocked = await desk.IqAsync(Block("block", bob.Jid));

        Assert.Equal("result", blocked.GetAttribute("type"));
        foreach (var client in new[] { desk, phone })
        {
            var push = await client.ReceiveAsync(e => IsBlockPush(e, "block"), $"the block push at {client.FullJid}");
            Assert.Equal(bob.Jid.ToString(), Assert.Single(push.Child("block", XmppNamespaces.Blocking)!.Elements()).GetAttribute("jid"));
        }

        Assert.Equal([bob.Jid.ToString()], await BlocklistAsync(phone));

        var unblocked = await phone.IqAsync(Block("unblock", bob.Jid));

        Assert.Equal("result", unblocked.GetAttribute("type"));
        foreach (var client in new[] { desk, phone })
        {
            var push = await client.ReceiveAsync(e => IsBlockPush(e, "unblock"), $"the unblock push at {client.FullJid}");
            Assert.Equal(bob.Jid.ToString(), Assert.Single(push.Child("unblock", XmppNamespaces.Blocking)!.Elements()).GetAttribute("jid"));
        }

        Assert.Empty(await BlocklistAsync(desk));
    }

    [Fact]
    public async Task After_blocking_the_contact_receives_unavailable_presence_xep0191_3_3()
    {
        var (alice, bob) = await ContactsAsync();
        await using var b = await OnlineAsync(Node, bob);
        await using var a = await OnlineAsync(Node, alice);
        await b.ReceiveAsync(e => IsPresence(e, a.FullJid, null), "alice's presence");

        await a.IqAsync(Block("block", bob.Jid));

        await b.ReceiveAsync(e => IsPresence(e, a.FullJid, "unavailable"), "unavailable from alice after she blocked bob");
        await a.SendPresenceAsync(show: "chat", status: "new status");
        await b.ExpectNoneAsync(e => IsPresence(e, a.FullJid, null), "alice's presence while blocked");
    }

    [Fact]
    public async Task Messages_from_a_blocked_contact_are_dropped_silently_xep0191_3_3()
    {
        var (alice, bob) = await ContactsAsync();
        await using var a = await OnlineAsync(Node, alice);
        await using var b = await OnlineAsync(Node, bob);
        await a.IqAsync(Block("block", bob.Jid));

        await b.SendMessageAsync(alice.Jid, "can you hear me?", id: "blocked-1");
        await b.SendMessageAsync(a.FullJid, "and now?", id: "blocked-2");

        await a.ExpectNoneAsync(e => e.Name == "message", "a message from a blocked contact");
        await b.ExpectNoneAsync(e => e.Name == "message", "an error (polite blocking tells the blocked contact nothing)");
    }

    [Fact]
    public async Task Messages_to_a_blocked_contact_are_refused_with_not_acceptable_and_blocked_xep0191_3_4()
    {
        var (alice, bob) = await ContactsAsync();
        await using var a = await OnlineAsync(Node, alice);
        await using var b = await OnlineAsync(Node, bob);
        await a.IqAsync(Block("block", bob.Jid));

        await a.SendMessageAsync(bob.Jid, "I blocked you", id: "out-1");

        var error = await a.ReceiveAsync(e => e.Name == "message" && e.GetAttribute("type") == "error", "the error");
        Assert.Equal("out-1", error.GetAttribute("id"));
        var condition = error.Child("error", XmppNamespaces.Client)!;
        Assert.Equal("cancel", condition.GetAttribute("type"));
        Assert.NotNull(condition.Child("not-acceptable", XmppNamespaces.Stanzas));
        Assert.NotNull(condition.Child("blocked", XmppNamespaces.BlockingErrors));
        await b.ExpectNoneAsync(e => e.Name == "message", "the message from the user who blocked them");
    }

    [Fact]
    public async Task An_iq_from_a_blocked_contact_gets_service_unavailable_as_if_offline_xep0191_3_5()
    {
        var (alice, bob) = await ContactsAsync();
        await using var a = await OnlineAsync(Node, alice, "desk");
        await using var b = await OnlineAsync(Node, bob);
        await a.IqAsync(Block("block", bob.Jid));

        var answer = await b.IqAsync(Iq("get", a.FullJid.ToString(), "query", XmppNamespaces.Version, out _));

        Assert.Equal("error", answer.GetAttribute("type"));
        Assert.Equal("service-unavailable", SubscriptionTests.ErrorCondition(answer));
        Assert.Null(answer.Child("error", XmppNamespaces.Client)!.Child("blocked", XmppNamespaces.BlockingErrors));
        await a.ExpectNoneAsync(e => e.Name == "iq" && e.GetAttribute("type") == "get", "the iq from the blocked contact");
    }

    [Fact]
    public async Task Messages_from_a_blocked_contact_to_an_offline_user_are_neither_stored_nor_refused_xep0191_3_3()
    {
        var (alice, bob) = await ContactsAsync();
        await using (var a = await OnlineAsync(Node, alice))
        {
            await a.IqAsync(Block("block", bob.Jid));
            await a.CloseAsync();
        }

        await using var b = await OnlineAsync(Node, bob);
        await b.SendMessageAsync(alice.Jid, "are you there?", id: "to-offline");
        await b.ExpectNoneAsync(e => e.Name == "message", "an error (alice must look merely offline)");

        Assert.Empty(await Node.Store.OfflineMessages.PeekAsync(alice.Jid, CancellationToken.None));
    }

    [Fact]
    public async Task A_blocked_contact_logging_in_later_sees_the_user_offline_xep0191_3_3()
    {
        var (alice, bob) = await ContactsAsync();
        await using var a = await OnlineAsync(Node, alice);
        await a.IqAsync(Block("block", bob.Jid));

        await using var b = await OnlineAsync(Node, bob);

        await b.ExpectNoneAsync(e => IsPresenceFrom(e, a.FullJid), "alice's presence (the probe must not reveal her)");
    }

    [Fact]
    public async Task Unblocking_restores_presence_xep0191_3_4()
    {
        var (alice, bob) = await ContactsAsync();
        await using var b = await OnlineAsync(Node, bob);
        await using var a = await OnlineAsync(Node, alice, show: "away", status: "hi again");
        await a.IqAsync(Block("block", bob.Jid));
        await b.ReceiveAsync(e => IsPresence(e, a.FullJid, "unavailable"), "unavailable after the block");

        await a.IqAsync(Block("unblock", bob.Jid));

        var back = await b.ReceiveAsync(e => IsPresence(e, a.FullJid, null), "alice's presence after the unblock");
        Assert.Equal("away", back.ChildText("show", XmppNamespaces.Client));
        Assert.Equal("hi again", back.ChildText("status", XmppNamespaces.Client));
        await b.SendMessageAsync(alice.Jid, "welcome back");
        await a.ReceiveAsync(e => IsMessageFrom(e, b.FullJid), "bob's message after the unblock");
    }

    private async Task<(TestAccount Alice, TestAccount Bob)> ContactsAsync()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await Node.MakeMutualContactsAsync(alice, bob);
        return (alice, bob);
    }

    internal static Element Block(string action, params Jid[] jids)
    {
        var iq = Iq("set", null, action, XmppNamespaces.Blocking, out var payload);
        foreach (var jid in jids)
        {
            payload.AddChild("item", XmppNamespaces.Blocking).SetAttribute("jid", jid.ToString());
        }

        return iq;
    }

    internal static async Task<string[]> BlocklistAsync(XmppTestClient client)
    {
        var result = await client.IqAsync(Iq("get", null, "blocklist", XmppNamespaces.Blocking, out _));
        Assert.Equal("result", result.GetAttribute("type"));
        return result.Child("blocklist", XmppNamespaces.Blocking)!.Elements().Select(i => i.GetAttribute("jid")!).ToArray();
    }

    private static bool IsBlockPush(Element e, string action) => e.Name == "iq" && e.GetAttribute("type") == "set" && e.Child(action, XmppNamespaces.Blocking) is not null;
}
