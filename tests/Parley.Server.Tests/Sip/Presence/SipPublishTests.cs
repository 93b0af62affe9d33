using Parley.Server.Presence.Availability;
using Parley.Server.Tests.Sip.Support;
using Parley.Server.Tests.Xmpp.Support;
using Parley.Sip.Messages;
using Parley.Xmpp;
using Model = Parley.Server.Presence.Availability.Availability;

namespace Parley.Server.Tests.Sip.Presence;

/// <summary>PUBLISH (RFC 3903): entity tags, refresh, modify, remove, expiry, and one presence for both protocols.</summary>
public sealed class SipPublishTests(SipNodeFixture fixture) : IClassFixture<SipNodeFixture>
{
    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task A_publication_reaches_sip_watchers_and_xmpp_contacts_with_the_mapped_state()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        var carol = await Node.CreateUserAsync("carol");
        await using var bobXmpp = await XmppTestClient.OnlineAsync(Node, bob);
        await bobXmpp.SendSubscriptionAsync("subscribe", alice.Jid);
        await bobXmpp.ReceiveAsync(e => XmppTestClient.IsPresence(e, alice.Jid, "subscribed"), "alice's approval");
        await using var carolPhone = await SipTestClient.ConnectAsync(Node, carol);
        var carolWatch = PresenceDialog.For(carolPhone, alice);
        await carolWatch.SubscribeAsync();
        Assert.Equal(Model.Offline, (await carolWatch.NextNotifyAsync()).Presence!.Availability);
        await using var alicePhone = await SipTestClient.ConnectAsync(Node, alice);

        var response = await alicePhone.PublishAsync(SipPublisher.Pidf(alicePhone, activity: "on-the-phone"));

        Assert.Equal(200, response.StatusCode);
        Assert.False(string.IsNullOrEmpty(response.Headers[SipHeaderNames.SipETag]));
        Assert.Equal("600", response.Headers[SipHeaderNames.Expires]);
        var sipView = await carolWatch.NotifyWhereAsync(n => n.Presence?.Availability != Model.Offline);
        Assert.Equal(new PresenceState(Model.OnThePhone, null), sipView.Presence);
        var aliceSip = alice.Jid.WithResource("sip");
        var xmppView = await bobXmpp.ReceiveAsync(e => XmppTestClient.IsPresenceFrom(e, aliceSip), "alice's SIP presence");
        Assert.Null(xmppView.GetAttribute("type"));
        Assert.Equal("dnd", xmppView.ChildText("show", XmppNamespaces.Client));
        Assert.Equal("On the phone", xmppView.ChildText("status", XmppNamespaces.Client));
    }

    [Fact]
    public async Task Refresh_modify_and_remove_each_need_the_current_entity_tag()
    {
        var alice = await Node.CreateUserAsync("alice");
        var carol = await Node.CreateUserAsync("carol");
        await using var carolPhone = await SipTestClient.ConnectAsync(Node, carol, "TCP");
        var watch = PresenceDialog.For(carolPhone, alice);
        await watch.SubscribeAsync();
        await watch.NextNotifyAsync();
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);

        var initial = await phone.PublishAsync(SipPublisher.Pidf(phone, activity: "away", note: "back soon"));
        var etag1 = initial.Headers[SipHeaderNames.SipETag]!;
        Assert.Equal(new PresenceState(Model.Away, "back soon"), (await watch.NotifyWhereAsync(n => n.Presence?.Availability == Model.Away)).Presence);

        var refreshed = await phone.PublishAsync(null, 900, etag1);
        Assert.Equal(200, refreshed.StatusCode);
        Assert.Equal("900", refreshed.Headers[SipHeaderNames.Expires]);
        var etag2 = refreshed.Headers[SipHeaderNames.SipETag]!;
        Assert.NotEqual(etag1, etag2);
        await carolPhone.AssertNoRequestAsync(SipMethods.Notify); // A refresh changes nothing watchers see.

        Assert.Equal(412, (await phone.PublishAsync(null, 600, etag1)).StatusCode);
        Assert.Equal(412, (await phone.PublishAsync(SipPublisher.Pidf(phone), 600, "no-such-etag")).StatusCode);

        var modified = await phone.PublishAsync(SipPublisher.Pidf(phone, activity: "busy"), 600, etag2);
        Assert.Equal(200, modified.StatusCode);
        var etag3 = modified.Headers[SipHeaderNames.SipETag]!;
        Assert.Equal(Model.Busy, (await watch.NotifyWhereAsync(n => n.Presence?.Availability == Model.Busy)).Presence!.Availability);

        var removed = await phone.PublishAsync(null, 0, etag3);
        Assert.Equal(200, removed.StatusCode);
        Assert.Equal(Model.Offline, (await watch.NotifyWhereAsync(n => n.Presence?.Availability == Model.Offline)).Presence!.Availability);
        Assert.Equal(412, (await phone.PublishAsync(null, 600, etag3)).StatusCode);
    }

    [Fact]
    public async Task A_registered_user_without_publication_is_available_and_a_closed_publication_makes_them_offline()
    {
        var alice = await Node.CreateUserAsync("alice");
        var carol = await Node.CreateUserAsync("carol");
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);
        Assert.Equal(200, (await phone.RegisterAsync(600)).StatusCode);
        await using var carolPhone = await SipTestClient.ConnectAsync(Node, carol);
        var watch = PresenceDialog.For(carolPhone, alice);
        await watch.SubscribeAsync();
        Assert.Equal(Model.Available, (await watch.NextNotifyAsync()).Presence!.Availability);

        Assert.Equal(200, (await phone.PublishAsync(SipPublisher.Pidf(phone, open: false))).StatusCode);

        Assert.Equal(Model.Offline, (await watch.NotifyWhereAsync(n => n.Presence?.Availability == Model.Offline)).Presence!.Availability);
    }

    [Fact]
    public async Task An_unrefreshed_publication_expires_and_watchers_see_it_go()
    {
        var alice = await Node.CreateUserAsync("alice");
        var carol = await Node.CreateUserAsync("carol");
        await using var carolPhone = await SipTestClient.ConnectAsync(Node, carol);
        var watch = PresenceDialog.For(carolPhone, alice);
        await watch.SubscribeAsync();
        await watch.NextNotifyAsync();
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);

        await phone.PublishAsync(SipPublisher.Pidf(phone, activity: "meeting"), (int)SipNodeFixture.MinExpires.TotalSeconds);

        Assert.Equal(Model.InAMeeting, (await watch.NotifyWhereAsync(n => n.Presence?.Availability == Model.InAMeeting)).Presence!.Availability);
        Assert.Equal(Model.Offline, (await watch.NotifyWhereAsync(n => n.Presence?.Availability == Model.Offline)).Presence!.Availability);
    }

    [Fact]
    public async Task Only_the_user_may_publish_their_presence()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);

        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var response = await phone.PublishAsync(SipPublisher.Pidf(phone), target: new SipUri("sip", bob.Local, bob.Jid.Domain));

        Assert.Equal(403, response.StatusCode);
        await Node.WaitForEventAsync(Parley.Server.Diagnostics.ParleyEvents.SipPresence.PublicationRejected.Id, since,
            e => e.Message.Contains(alice.Jid.ToString(), StringComparison.Ordinal) && e.Message.Contains("403", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "the rejection event");
    }

    [Theory]
    [InlineData("presence", "text/plain", "<presence/>", 600, null, 415)]
    [InlineData("presence", "application/pidf+xml", "<presence xmlns='urn:ietf:params:xml:ns:pidf'/>", 600, null, 400)]
    [InlineData("presence", "application/pidf+xml", "<!DOCTYPE x [<!ENTITY a 'b'>]><x/>", 600, null, 400)]
    [InlineData("dialog", "application/pidf+xml", null, 600, null, 489)]
    [InlineData("presence", "application/pidf+xml", null, 1, null, 423)]
    [InlineData("presence", "application/pidf+xml", "", 600, null, 400)]
    [InlineData("presence", "application/pidf+xml", null, 0, null, 400)]
    public async Task Bad_publications_are_refused(string @event, string contentType, string? body, int expires, string? ifMatch, int status)
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);
        var bytes = body is null ? SipPublisher.Pidf(phone) : System.Text.Encoding.UTF8.GetBytes(body);

        var response = await phone.PublishAsync(bytes.Length == 0 ? null : bytes, expires, ifMatch, contentType: contentType, @event: @event);

        Assert.Equal(status, response.StatusCode);
    }
}
