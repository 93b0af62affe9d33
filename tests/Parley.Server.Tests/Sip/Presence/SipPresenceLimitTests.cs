using Parley.Server.Diagnostics;
using Parley.Server.Management;
using Parley.Server.Tests.Sip.Support;
using Parley.Server.Tests.Xmpp.Support;
using Parley.Sip.Messages;
using Model = Parley.Server.Presence.Availability.Availability;

namespace Parley.Server.Tests.Sip.Presence;

/// <summary>A SIP node with tiny contact-list and watcher limits.</summary>
public sealed class LowLimitsSipNodeFixture : SipNodeFixture
{
    public const int MaxContacts = 2;

    protected override PresenceSettings Settings => new() { MaxContactListSize = MaxContacts, MaxWatchers = 1 };
}

/// <summary>The seed's contact-list and watcher limits apply to SIP watchers exactly as to XMPP ones.</summary>
public sealed class SipPresenceLimitTests(LowLimitsSipNodeFixture fixture) : IClassFixture<LowLimitsSipNodeFixture>
{
    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task A_watcher_whose_contact_list_is_full_is_told_why()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var alice = await Node.CreateUserAsync("alice");
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);
        for (var i = 0; i < LowLimitsSipNodeFixture.MaxContacts; i++)
        {
            Assert.Equal(200, (await PresenceDialog.For(phone, await Node.CreateUserAsync("contact")).SubscribeAsync()).StatusCode);
        }

        var response = await PresenceDialog.For(phone, await Node.CreateUserAsync("one-too-many")).SubscribeAsync();

        Assert.Equal(403, response.StatusCode);
        Assert.Contains("contact list is full", response.Headers[SipHeaderNames.Warning], StringComparison.Ordinal);
        await Node.WaitForEventAsync(ParleyEvents.Limits.ContactListLimitReached.Id, since,
            e => e.Message.Contains(alice.Jid.ToString(), StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the contact list limit event");
    }

    [Fact]
    public async Task A_watcher_beyond_the_presentitys_watcher_limit_sees_them_offline()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var popular = await Node.CreateUserAsync("popular");
        await using var popularXmpp = await XmppTestClient.OnlineAsync(Node, popular, show: "away");
        var first = await Node.CreateUserAsync("first");
        var second = await Node.CreateUserAsync("second");
        await using var firstPhone = await SipTestClient.ConnectAsync(Node, first);
        await using var secondPhone = await SipTestClient.ConnectAsync(Node, second);
        var allowed = PresenceDialog.For(firstPhone, popular);
        await allowed.SubscribeAsync();
        Assert.Equal(Model.Away, (await allowed.NextNotifyAsync()).Presence!.Availability);

        var refused = PresenceDialog.For(secondPhone, popular);
        Assert.Equal(200, (await refused.SubscribeAsync()).StatusCode);
        var notify = await refused.NextNotifyAsync();

        Assert.Equal("active", notify.State);
        Assert.Equal(Model.Offline, notify.Presence!.Availability);
        await Node.WaitForEventAsync(ParleyEvents.Limits.WatcherLimitReached.Id, since,
            e => e.Message.Contains(second.Jid.ToString(), StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the watcher limit event");
    }
}
