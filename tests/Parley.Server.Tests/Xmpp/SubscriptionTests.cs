using Parley.Server.Tests.Xmpp.Support;
using Parley.Xmpp;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Xml;
using static Parley.Server.Tests.Xmpp.Support.XmppTestClient;

namespace Parley.Server.Tests.Xmpp;

/// <summary>RFC 6121 §3 with the default policy: requests between users of the local domain are approved at once.</summary>
public sealed class SubscriptionTests(ParleyNodeFixture fixture) : IClassFixture<ParleyNodeFixture>
{
    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task Local_subscribe_is_approved_immediately_and_presence_flows_rfc6121_3_1()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var a = await OnlineAsync(Node, alice, "a");
        await using var b = await OnlineAsync(Node, bob, "b", show: "dnd", status: "Busy coding");

        await a.SendSubscriptionAsync("subscribe", bob.Jid);

        var asking = RosterTests.PushedItem(await a.ReceiveAsync(e => IsRosterPush(e, bob.Jid), "the push with ask='subscribe'"));
        Assert.Equal("none", asking.GetAttribute("subscription"));
        Assert.Equal("subscribe", asking.GetAttribute("ask"));
        var approved = RosterTests.PushedItem(await a.ReceiveAsync(e => IsRosterPush(e, bob.Jid), "the push with subscription='to'"));
        Assert.Equal("to", approved.GetAttribute("subscription"));
        Assert.Null(approved.GetAttribute("ask"));
        var subscribed = await a.ReceiveAsync(e => IsPresence(e, bob.Jid, "subscribed"), "<presence type='subscribed'/> from bob");
        Assert.Equal(alice.Jid.ToString(), Jid.Parse(subscribed.GetAttribute("to")!).Bare.ToString());
        var bobsPresence = await a.ReceiveAsync(e => IsPresence(e, b.FullJid, null), "bob's current presence");
        Assert.Equal("dnd", bobsPresence.ChildText("show", XmppNamespaces.Client));
        Assert.Equal("Busy coding", bobsPresence.ChildText("status", XmppNamespaces.Client));

        var watcher = RosterTests.PushedItem(await b.ReceiveAsync(e => IsRosterPush(e, alice.Jid), "bob's push with subscription='from'"));
        Assert.Equal("from", watcher.GetAttribute("subscription"));
        await b.ExpectNoneAsync(e => IsPresence(e, alice.Jid, "subscribe"), "the request (it was approved by policy)");

        await b.SendPresenceAsync(show: "away", status: "Back soon");
        var update = await a.ReceiveAsync(e => IsPresence(e, b.FullJid, null) && e.ChildText("show", XmppNamespaces.Client) == "away", "bob's presence update");
        Assert.Equal("Back soon", update.ChildText("status", XmppNamespaces.Client));
    }

    [Fact]
    public async Task Subscribe_to_an_unknown_local_user_is_answered_unsubscribed_rfc6121_3_1_3()
    {
        var alice = await Node.CreateUserAsync("alice");
        var nobody = Jid.Parse($"nobody-{Guid.NewGuid():N}@{ParleyTestNode.Domain}");
        await using var a = await OnlineAsync(Node, alice);

        await a.SendSubscriptionAsync("subscribe", nobody);

        await a.ReceiveAsync(e => IsPresence(e, nobody, "unsubscribed"), "<presence type='unsubscribed'/> from the unknown user");
        await a.ReceiveAsync(e => IsRosterPush(e, nobody) && RosterTests.PushedItem(e).GetAttribute("ask") is null, "the push clearing ask");
    }

    [Fact]
    public async Task Unsubscribe_and_unsubscribed_update_both_sides_rfc6121_3_3_and_3_2()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await Node.MakeMutualContactsAsync(alice, bob);
        await using var b = await OnlineAsync(Node, bob, "b");
        await using var a = await OnlineAsync(Node, alice, "a");
        await a.ReceiveAsync(e => IsPresence(e, b.FullJid, null), "bob's presence (probe answered)");
        await b.ReceiveAsync(e => IsPresence(e, a.FullJid, null), "alice's initial presence");

        // Alice stops watching bob (§3.3): both → from for alice, both → to for bob; bob's server sends unavailable.
        await a.SendSubscriptionAsync("unsubscribe", bob.Jid);

        Assert.Equal("from", RosterTests.PushedItem(await a.ReceiveAsync(e => IsRosterPush(e, bob.Jid), "alice's push after unsubscribe")).GetAttribute("subscription"));
        await a.ReceiveAsync(e => IsPresence(e, b.FullJid, "unavailable"), "unavailable from bob's resource");
        Assert.Equal("to", RosterTests.PushedItem(await b.ReceiveAsync(e => IsRosterPush(e, alice.Jid), "bob's push after unsubscribe")).GetAttribute("subscription"));
        await b.ReceiveAsync(e => IsPresence(e, alice.Jid, "unsubscribe"), "the unsubscribe from alice");

        // Alice cancels bob's subscription to her (§3.2): from → none for alice, to → none for bob.
        await a.SendSubscriptionAsync("unsubscribed", bob.Jid);

        Assert.Equal("none", RosterTests.PushedItem(await a.ReceiveAsync(e => IsRosterPush(e, bob.Jid), "alice's push after unsubscribed")).GetAttribute("subscription"));
        Assert.Equal("none", RosterTests.PushedItem(await b.ReceiveAsync(e => IsRosterPush(e, alice.Jid), "bob's push after unsubscribed")).GetAttribute("subscription"));
        await b.ReceiveAsync(e => IsPresence(e, alice.Jid, "unsubscribed"), "the unsubscribed from alice");
        await b.ReceiveAsync(e => IsPresence(e, a.FullJid, "unavailable"), "unavailable from alice's resource");

        // Neither sees the other's presence any more.
        await a.SendPresenceAsync(show: "chat");
        await b.ExpectNoneAsync(e => IsPresence(e, a.FullJid, null), "alice's presence after the subscription ended");
    }

    [Fact]
    public async Task Subscription_to_oneself_is_refused_rfc6121_3_1_1()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var a = await OnlineAsync(Node, alice);

        await a.SendSubscriptionAsync("subscribe", alice.Jid);

        var error = await a.ReceiveAsync(e => e.Name == "presence" && e.GetAttribute("type") == "error", "a presence error");
        Assert.Equal("bad-request", ErrorCondition(error));
    }

    internal static string? ErrorCondition(Element stanza) => stanza.Child("error", XmppNamespaces.Client)?.FirstChild(XmppNamespaces.Stanzas)?.Name;
}
