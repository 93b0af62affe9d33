using Parley.Server.Tests.Xmpp.Support;
using Parley.Xmpp;
using static Parley.Server.Tests.Xmpp.Support.XmppTestClient;

namespace Parley.Server.Tests.Xmpp;

/// <summary>RFC 6121 §4: broadcast, probes, unavailable and directed presence.</summary>
public sealed class PresenceTests(ParleyNodeFixture fixture) : IClassFixture<ParleyNodeFixture>
{
    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task Initial_presence_is_broadcast_to_watchers_with_show_and_status_rfc6121_4_2_2()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        var stranger = await Node.CreateUserAsync("stranger");
        await Node.MakeMutualContactsAsync(alice, bob);
        await using var b = await OnlineAsync(Node, bob);
        await using var s = await OnlineAsync(Node, stranger);

        await using var a = await OnlineAsync(Node, alice, "desk", show: "away", status: "At lunch", priority: 5);

        var seen = await b.ReceiveAsync(e => IsPresenceFrom(e, a.FullJid), "alice's initial presence");
        Assert.Null(seen.GetAttribute("type"));
        Assert.Equal(b.FullJid.ToString(), seen.GetAttribute("to"));
        Assert.Equal("away", seen.ChildText("show", XmppNamespaces.Client));
        Assert.Equal("At lunch", seen.ChildText("status", XmppNamespaces.Client));
        Assert.Equal("5", seen.ChildText("priority", XmppNamespaces.Client));
        await s.ExpectNoneAsync(e => IsPresenceFrom(e, a.FullJid), "alice's presence (not a watcher)");
    }

    [Fact]
    public async Task A_contact_logging_in_later_receives_the_current_presence_rfc6121_4_2_3()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await Node.MakeMutualContactsAsync(alice, bob);
        await using var b = await OnlineAsync(Node, bob, "b", show: "dnd", status: "In a meeting");
        await b.SendPresenceAsync(show: "xa", status: "Gone home");

        await using var a = await OnlineAsync(Node, alice);

        var current = await a.ReceiveAsync(e => IsPresenceFrom(e, b.FullJid), "bob's presence, answering the probe");
        Assert.Equal("xa", current.ChildText("show", XmppNamespaces.Client));
        Assert.Equal("Gone home", current.ChildText("status", XmppNamespaces.Client));
        await a.ExpectNoneAsync(e => IsPresenceFrom(e, b.FullJid), "a second, stale copy of bob's presence");
    }

    [Fact]
    public async Task Presence_updates_reach_watchers_and_the_users_other_resources_rfc6121_4_4()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await Node.MakeMutualContactsAsync(alice, bob);
        await using var b = await OnlineAsync(Node, bob);
        await using var phone = await OnlineAsync(Node, alice, "phone");
        await using var desk = await OnlineAsync(Node, alice, "desk");
        await phone.ReceiveAsync(e => IsPresenceFrom(e, desk.FullJid), "the desk's initial presence");

        await desk.SendPresenceAsync(show: "chat", status: "Free");

        Assert.Equal("chat", (await b.ReceiveAsync(e => IsPresenceFrom(e, desk.FullJid) && e.Child("show", XmppNamespaces.Client) is not null, "the update")).ChildText("show", XmppNamespaces.Client));
        Assert.Equal("Free", (await phone.ReceiveAsync(e => IsPresenceFrom(e, desk.FullJid) && e.Child("status", XmppNamespaces.Client) is not null, "the update on the other resource")).ChildText("status", XmppNamespaces.Client));
    }

    [Fact]
    public async Task Disconnecting_sends_unavailable_to_watchers_rfc6121_4_5_2()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await Node.MakeMutualContactsAsync(alice, bob);
        await using var b = await OnlineAsync(Node, bob);
        var a = await OnlineAsync(Node, alice);
        var aliceJid = a.FullJid;
        await b.ReceiveAsync(e => IsPresenceFrom(e, aliceJid), "alice's initial presence");

        a.Cut();

        var gone = await b.ReceiveAsync(e => IsPresence(e, aliceJid, "unavailable"), "unavailable after alice's connection dropped");
        Assert.Equal(b.FullJid.ToString(), gone.GetAttribute("to"));
        await a.DisposeAsync();
    }

    [Fact]
    public async Task Explicit_unavailable_reaches_watchers_with_its_status_rfc6121_4_5_1()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await Node.MakeMutualContactsAsync(alice, bob);
        await using var b = await OnlineAsync(Node, bob);
        await using var a = await OnlineAsync(Node, alice);
        await b.ReceiveAsync(e => IsPresenceFrom(e, a.FullJid), "alice's initial presence");

        await a.SendPresenceAsync(type: "unavailable", status: "Logging off");

        var gone = await b.ReceiveAsync(e => IsPresence(e, a.FullJid, "unavailable"), "alice's unavailable presence");
        Assert.Equal("Logging off", gone.ChildText("status", XmppNamespaces.Client));
    }

    [Fact]
    public async Task Directed_presence_reaches_a_non_contact_and_unavailable_follows_when_going_offline_rfc6121_4_6()
    {
        var alice = await Node.CreateUserAsync("alice");
        var carol = await Node.CreateUserAsync("carol");
        await using var c = await OnlineAsync(Node, carol);
        var a = await OnlineAsync(Node, alice);
        var aliceJid = a.FullJid;

        await a.SendAsync($"<presence to='{c.FullJid}'><show>chat</show></presence>");

        var directed = await c.ReceiveAsync(e => IsPresence(e, aliceJid, null), "the directed presence");
        Assert.Equal("chat", directed.ChildText("show", XmppNamespaces.Client));

        await a.CloseAsync();

        await c.ReceiveAsync(e => IsPresence(e, aliceJid, "unavailable"), "unavailable to the directed-presence recipient");
    }

    [Fact]
    public async Task A_presence_error_is_not_tracked_as_directed_presence_rfc6121_4_6_3()
    {
        var alice = await Node.CreateUserAsync("alice");
        var carol = await Node.CreateUserAsync("carol");
        await using var c = await OnlineAsync(Node, carol);
        var a = await OnlineAsync(Node, alice);
        var aliceJid = a.FullJid;

        await a.SendAsync($"<presence type='error' to='{c.FullJid}'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>");
        await c.ReceiveAsync(e => IsPresence(e, aliceJid, "error"), "the presence error");
        await a.CloseAsync();

        // Carol never saw alice available, so she must not be told alice went unavailable.
        await c.ExpectNoneAsync(e => IsPresence(e, aliceJid, "unavailable"), "unavailable from alice");
    }

    [Fact]
    public async Task Two_resources_both_see_a_contacts_presence_rfc6121_4_2_2()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await Node.MakeMutualContactsAsync(alice, bob);
        await using var phone = await OnlineAsync(Node, bob, "phone");
        await using var desk = await OnlineAsync(Node, bob, "desk");

        await using var a = await OnlineAsync(Node, alice, show: "away");

        foreach (var resource in new[] { phone, desk })
        {
            var seen = await resource.ReceiveAsync(e => IsPresenceFrom(e, a.FullJid), $"alice's presence at {resource.FullJid}");
            Assert.Equal(resource.FullJid.ToString(), seen.GetAttribute("to"));
            Assert.Equal("away", seen.ChildText("show", XmppNamespaces.Client));
        }
    }

    [Fact]
    public async Task A_resource_that_has_not_sent_initial_presence_gets_no_broadcast_rfc6121_4_2_2()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await Node.MakeMutualContactsAsync(alice, bob);
        await using var b = await LoginAsync(Node, bob);

        await using var a = await OnlineAsync(Node, alice);

        await b.ExpectNoneAsync(e => IsPresenceFrom(e, a.FullJid), "alice's presence before its own initial presence");
    }
}
