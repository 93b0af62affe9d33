using Parley.Server.Tests.Xmpp.Support;
using Parley.Xmpp;
using static Parley.Server.Tests.Xmpp.Support.XmppTestClient;

namespace Parley.Server.Tests.Xmpp;

/// <summary>RFC 6121 §3 with auto-approve off: the contact decides, pre-approval, and pending requests.</summary>
public sealed class SubscriptionApprovalTests(ManualApprovalNodeFixture fixture) : IClassFixture<ManualApprovalNodeFixture>
{
    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task Contact_receives_the_request_and_approval_updates_both_rosters_rfc6121_3_1()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var a = await OnlineAsync(Node, alice, "a");
        await using var b = await OnlineAsync(Node, bob, "b", show: "away");

        await a.SendSubscriptionAsync("subscribe", bob.Jid);

        var asking = RosterTests.PushedItem(await a.ReceiveAsync(e => IsRosterPush(e, bob.Jid), "the push with ask='subscribe'"));
        Assert.Equal(("none", "subscribe"), (asking.GetAttribute("subscription"), asking.GetAttribute("ask")));
        var request = await b.ReceiveAsync(e => IsPresence(e, alice.Jid, "subscribe"), "the subscription request from alice's bare JID");
        Assert.Equal(b.FullJid.ToString(), request.GetAttribute("to"));
        await b.ExpectNoneAsync(e => IsRosterPush(e, alice.Jid), "a roster push before approving (pending requests are not roster items)");
        await a.ExpectNoneAsync(e => IsPresenceFrom(e, b.FullJid), "bob's presence before approval");

        await b.SendSubscriptionAsync("subscribed", alice.Jid);

        var bobsItem = RosterTests.PushedItem(await b.ReceiveAsync(e => IsRosterPush(e, alice.Jid), "bob's push with subscription='from'"));
        Assert.Equal("from", bobsItem.GetAttribute("subscription"));
        Assert.Null(bobsItem.GetAttribute("ask"));
        var alicesItem = RosterTests.PushedItem(await a.ReceiveAsync(e => IsRosterPush(e, bob.Jid), "alice's push with subscription='to'"));
        Assert.Equal("to", alicesItem.GetAttribute("subscription"));
        Assert.Null(alicesItem.GetAttribute("ask"));
        await a.ReceiveAsync(e => IsPresence(e, bob.Jid, "subscribed"), "<presence type='subscribed'/>");
        var presence = await a.ReceiveAsync(e => IsPresence(e, b.FullJid, null), "bob's presence after approval");
        Assert.Equal("away", presence.ChildText("show", XmppNamespaces.Client));
    }

    [Fact]
    public async Task Denying_a_request_clears_ask_and_tells_the_requester_rfc6121_3_2_1()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var a = await OnlineAsync(Node, alice, "a");
        await using var b = await OnlineAsync(Node, bob, "b");
        await a.SendSubscriptionAsync("subscribe", bob.Jid);
        await b.ReceiveAsync(e => IsPresence(e, alice.Jid, "subscribe"), "the request");
        await a.ReceiveAsync(e => IsRosterPush(e, bob.Jid), "the push with ask");

        await b.SendSubscriptionAsync("unsubscribed", alice.Jid);

        await a.ReceiveAsync(e => IsPresence(e, bob.Jid, "unsubscribed"), "the denial");
        var item = RosterTests.PushedItem(await a.ReceiveAsync(e => IsRosterPush(e, bob.Jid), "the push clearing ask"));
        Assert.Equal("none", item.GetAttribute("subscription"));
        Assert.Null(item.GetAttribute("ask"));
        // §3.2.2 rule 3: with bob in state "None + Pending In" the denial also carries unavailable from his resources.
        await a.ReceiveAsync(e => IsPresence(e, b.FullJid, "unavailable"), "unavailable from bob's resource");
        await a.ExpectNoneAsync(e => IsPresence(e, b.FullJid, null), "bob's available presence");
    }

    [Fact]
    public async Task Cancelling_a_pre_approval_is_not_routed_to_the_user_rfc6121_3_2_2()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var a = await OnlineAsync(Node, alice, "a");
        await using var b = await OnlineAsync(Node, bob, "b");
        await b.SendSubscriptionAsync("subscribed", alice.Jid);
        await b.ReceiveAsync(e => IsRosterPush(e, alice.Jid) && RosterTests.PushedItem(e).GetAttribute("approved") == "true", "the push with approved='true'");

        await b.SendSubscriptionAsync("unsubscribed", alice.Jid);

        var cleared = RosterTests.PushedItem(await b.ReceiveAsync(e => IsRosterPush(e, alice.Jid), "the push removing the pre-approval"));
        Assert.Null(cleared.GetAttribute("approved"));
        Assert.Equal("none", cleared.GetAttribute("subscription"));
        // Rule 2: the contact's server MUST remove the pre-approval and MUST NOT route the unsubscribed to the user.
        await a.ExpectNoneAsync(e => IsPresenceFrom(e, bob.Jid) || IsPresenceFrom(e, b.FullJid), "the unsubscribed or an unavailable from bob");

        // And the pre-approval really is gone: the next request waits for bob.
        await a.SendSubscriptionAsync("subscribe", bob.Jid);
        await b.ReceiveAsync(e => IsPresence(e, alice.Jid, "subscribe"), "the request, now that nothing pre-approves it");
    }

    [Fact]
    public async Task Pre_approval_approves_the_later_request_automatically_rfc6121_3_4()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var b = await OnlineAsync(Node, bob, "b", status: "here");

        await b.SendSubscriptionAsync("subscribed", alice.Jid);

        var preApproved = RosterTests.PushedItem(await b.ReceiveAsync(e => IsRosterPush(e, alice.Jid), "the push with approved='true'"));
        Assert.Equal("none", preApproved.GetAttribute("subscription"));
        Assert.Equal("true", preApproved.GetAttribute("approved"));

        await using var a = await OnlineAsync(Node, alice, "a");
        await a.SendSubscriptionAsync("subscribe", bob.Jid);

        await a.ReceiveAsync(e => IsPresence(e, bob.Jid, "subscribed"), "the automatic approval");
        var presence = await a.ReceiveAsync(e => IsPresence(e, b.FullJid, null), "bob's presence");
        Assert.Equal("here", presence.ChildText("status", XmppNamespaces.Client));
        var bobsItem = RosterTests.PushedItem(await b.ReceiveAsync(e => IsRosterPush(e, alice.Jid) && RosterTests.PushedItem(e).GetAttribute("subscription") == "from", "bob's push with subscription='from'"));
        Assert.Null(bobsItem.GetAttribute("approved"));
        await b.ExpectNoneAsync(e => IsPresence(e, alice.Jid, "subscribe"), "the request (it was pre-approved)");
    }

    [Fact]
    public async Task A_pending_request_is_delivered_again_at_the_contacts_next_login_rfc6121_3_1_3()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var a = await OnlineAsync(Node, alice, "a");

        await a.SendSubscriptionAsync("subscribe", bob.Jid);
        await a.ReceiveAsync(e => IsRosterPush(e, bob.Jid), "the push with ask");

        await using (var first = await OnlineAsync(Node, bob, "b1"))
        {
            await first.ReceiveAsync(e => IsPresence(e, alice.Jid, "subscribe"), "the pending request at the first login");
            await first.CloseAsync();
        }

        await using var second = await OnlineAsync(Node, bob, "b2");
        await second.ReceiveAsync(e => IsPresence(e, alice.Jid, "subscribe"), "the still-pending request at the next login");
    }

    [Fact]
    public async Task A_pending_request_from_a_contact_blocked_since_is_not_shown_again_xep0191_3_3()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var b = await OnlineAsync(Node, bob, "b");
        await b.SendSubscriptionAsync("subscribe", alice.Jid);
        await b.ReceiveAsync(e => IsRosterPush(e, alice.Jid), "the push with ask");

        await using (var first = await OnlineAsync(Node, alice, "a1"))
        {
            await first.ReceiveAsync(e => IsPresence(e, bob.Jid, "subscribe"), "the pending request");
            Assert.Equal("result", (await first.IqAsync(BlockingTests.Block("block", bob.Jid))).GetAttribute("type"));
            await first.CloseAsync();
        }

        await using var second = await OnlineAsync(Node, alice, "a2");
        await second.ExpectNoneAsync(e => IsPresence(e, bob.Jid, "subscribe"), "the request of a contact she has blocked");
    }
}
