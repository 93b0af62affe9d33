using Parley.Server.Management;
using Parley.Server.Tests.Sip.Support;
using Parley.Server.Tests.Xmpp.Support;
using Parley.Sip.Messages;
using Parley.Xmpp;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Xml;
using Model = Parley.Server.Presence.Availability.Availability;

namespace Parley.Server.Tests.Sip.Presence;

/// <summary>A node where subscription requests wait for the presentity's decision.</summary>
public sealed class ManualApprovalSipNodeFixture : SipNodeFixture
{
    protected override PresenceSettings Settings => new() { AutoApproveLocalDomain = false };
}

/// <summary>
/// SIP watchers get the same policy as XMPP ones (seed ch. 1-3 §2.1): pending until the user decides, then their
/// presence; a denied or blocked watcher gets an active subscription with a closed document, never a 403.
/// </summary>
public sealed class SipWatcherAuthorizationTests(ManualApprovalSipNodeFixture fixture) : IClassFixture<ManualApprovalSipNodeFixture>
{
    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task A_subscription_stays_pending_until_the_user_approves_it_then_carries_their_presence()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var bobXmpp = await XmppTestClient.OnlineAsync(Node, bob, show: "away");
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);
        var dialog = PresenceDialog.For(phone, bob);

        Assert.Equal(200, (await dialog.SubscribeAsync()).StatusCode);
        var pending = await dialog.NextNotifyAsync();
        Assert.Equal("pending", pending.State);
        Assert.Null(pending.Document);
        await bobXmpp.ReceiveAsync(e => XmppTestClient.IsPresence(e, alice.Jid, "subscribe"), "alice's request");

        await bobXmpp.SendSubscriptionAsync("subscribed", alice.Jid);

        var active = await dialog.NotifyWhereAsync(n => n.State == "active");
        Assert.Equal(Model.Away, active.Presence!.Availability);
    }

    [Fact]
    public async Task A_denied_watcher_sees_a_closed_document_while_the_user_is_online()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var bobXmpp = await XmppTestClient.OnlineAsync(Node, bob);
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);
        var dialog = PresenceDialog.For(phone, bob);
        await dialog.SubscribeAsync();
        Assert.Equal("pending", (await dialog.NextNotifyAsync()).State);
        await bobXmpp.ReceiveAsync(e => XmppTestClient.IsPresence(e, alice.Jid, "subscribe"), "alice's request");

        await bobXmpp.SendSubscriptionAsync("unsubscribed", alice.Jid);

        var denied = await dialog.NotifyWhereAsync(n => n.State != "pending");
        Assert.Equal("active", denied.State);
        Assert.Equal(Model.Offline, denied.Presence!.Availability);
    }

    [Fact]
    public async Task A_blocked_watcher_is_answered_200_and_sees_the_user_offline_and_nothing_more()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await Node.MakeMutualContactsAsync(alice, bob);
        await using var bobXmpp = await XmppTestClient.OnlineAsync(Node, bob, show: "dnd");
        await using var phone = await SipTestClient.ConnectAsync(Node, alice, "TCP");
        var dialog = PresenceDialog.For(phone, bob);
        await dialog.SubscribeAsync();
        Assert.Equal(Model.Busy, (await dialog.NextNotifyAsync()).Presence!.Availability);

        Assert.Equal("result", (await bobXmpp.IqAsync(Block("block", alice.Jid))).GetAttribute("type"));

        var blocked = await dialog.NotifyWhereAsync(n => n.Presence?.Availability == Model.Offline);
        Assert.Equal("active", blocked.State);
        await bobXmpp.SendPresenceAsync(show: "away");
        await phone.AssertNoRequestAsync(SipMethods.Notify);

        // A new subscription from the blocked watcher is not refused either: it just sees the user offline.
        var again = PresenceDialog.For(phone, bob);
        Assert.Equal(200, (await again.SubscribeAsync()).StatusCode);
        var second = await again.NextNotifyAsync();
        Assert.Equal("active", second.State);
        Assert.Equal(Model.Offline, second.Presence!.Availability);

        Assert.Equal("result", (await bobXmpp.IqAsync(Block("unblock", alice.Jid))).GetAttribute("type"));
        Assert.Equal(Model.Away, (await dialog.NotifyWhereAsync(n => n.Presence?.Availability != Model.Offline)).Presence!.Availability);
    }

    [Fact]
    public async Task Unblocking_a_watcher_whose_request_is_pending_is_notified_at_once()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var bobXmpp = await XmppTestClient.OnlineAsync(Node, bob);
        await using var phone = await SipTestClient.ConnectAsync(Node, alice, "TCP");
        var dialog = PresenceDialog.For(phone, bob);
        await dialog.SubscribeAsync();
        Assert.Equal("pending", (await dialog.NextNotifyAsync()).State);
        await bobXmpp.ReceiveAsync(e => XmppTestClient.IsPresence(e, alice.Jid, "subscribe"), "alice's request");
        await bobXmpp.IqAsync(Block("block", alice.Jid));
        Assert.Equal(Model.Offline, (await dialog.NotifyWhereAsync(n => n.State == "active")).Presence!.Availability);

        // Alice is not an approved watcher, so no presence goes to her; her request is still pending and she must see that
        // now, not at bob's next presence change.
        Assert.Equal("result", (await bobXmpp.IqAsync(Block("unblock", alice.Jid))).GetAttribute("type"));

        var unblocked = await dialog.NextNotifyAsync();
        Assert.Equal("pending", unblocked.State);
        Assert.Null(unblocked.Document);
    }

    [Fact]
    public async Task Blocking_and_unblocking_the_watchers_whole_domain_is_notified()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await Node.MakeMutualContactsAsync(alice, bob);
        await using var bobXmpp = await XmppTestClient.OnlineAsync(Node, bob, show: "dnd");
        await using var phone = await SipTestClient.ConnectAsync(Node, alice, "TCP");
        var dialog = PresenceDialog.For(phone, bob);
        await dialog.SubscribeAsync();
        Assert.Equal(Model.Busy, (await dialog.NextNotifyAsync()).Presence!.Availability);
        var domain = Jid.Parse(alice.Jid.Domain);

        Assert.Equal("result", (await bobXmpp.IqAsync(Block("block", domain))).GetAttribute("type"));
        Assert.Equal(Model.Offline, (await dialog.NextNotifyAsync()).Presence!.Availability);

        Assert.Equal("result", (await bobXmpp.IqAsync(Block("unblock", domain))).GetAttribute("type"));
        Assert.Equal(Model.Busy, (await dialog.NextNotifyAsync()).Presence!.Availability);
    }

    [Fact]
    public async Task The_closed_document_of_a_blocked_watcher_is_the_same_as_that_of_an_offline_user()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await Node.MakeMutualContactsAsync(alice, bob);
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);
        var offline = PresenceDialog.For(phone, bob);
        await offline.SubscribeAsync();
        var offlineBody = (await offline.NextNotifyAsync()).Request.Body.ToArray();

        await using (var bobXmpp = await XmppTestClient.OnlineAsync(Node, bob))
        {
            await bobXmpp.IqAsync(Block("block", alice.Jid));
            var hidden = PresenceDialog.For(phone, bob);
            await hidden.SubscribeAsync();
            var hiddenBody = (await hidden.NotifyWhereAsync(n => n.Presence?.Availability == Model.Offline)).Request.Body.ToArray();
            Assert.Equal(offlineBody, hiddenBody);
        }
    }

    private static Element Block(string action, Jid jid)
    {
        var iq = XmppTestClient.Iq("set", null, action, XmppNamespaces.Blocking, out var payload);
        payload.AddChild("item", XmppNamespaces.Blocking).SetAttribute("jid", jid.ToString());
        return iq;
    }
}
