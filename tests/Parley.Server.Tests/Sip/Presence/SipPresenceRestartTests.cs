using Parley.Server.Diagnostics;
using Parley.Server.Tests.Sip.Support;
using Parley.Server.Tests.Xmpp.Support;
using Parley.Sip.Messages;
using Model = Parley.Server.Presence.Availability.Availability;

namespace Parley.Server.Tests.Sip.Presence;

/// <summary>
/// Subscriptions and publications survive a restart: watchers get the current presence right after the node is back,
/// not after their next refresh (the seed's two-hour gap, ch. 1-3 §2.3).
/// </summary>
public sealed class SipPresenceRestartTests
{
    [Fact]
    public async Task After_a_restart_watchers_are_notified_at_once_in_the_same_dialog_and_later_changes_still_reach_them()
    {
        await using var node = new ParleyTestNode(sip: SipNodeFixture.TestOptions);
        await node.StartAsync();
        var alice = await node.CreateUserAsync("alice");
        var bob = await node.CreateUserAsync("bob");
        await using var phone = await SipTestClient.ConnectAsync(node, alice);
        var dialog = PresenceDialog.For(phone, bob);
        await dialog.SubscribeAsync(3600);
        var before = await dialog.NextNotifyAsync();
        Assert.Equal(Model.Offline, before.Presence!.Availability);

        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        await node.RestartAsync();

        var restored = await dialog.NextNotifyAsync();
        Assert.Equal("active", restored.State);
        Assert.InRange(restored.Expires!.Value, 3500, 3600);
        Assert.Equal(before.Request.CallId, restored.Request.CallId);
        Assert.Equal(before.Request.From.Tag, restored.Request.From.Tag);
        Assert.True(restored.Request.CSeq.Number > before.Request.CSeq.Number);
        await node.WaitForEventAsync(ParleyEvents.SipPresence.SubscriptionsRestored.Id, since, _ => true, TimeSpan.FromSeconds(10), "subscriptions restored");

        await using var bobXmpp = await XmppTestClient.OnlineAsync(node, bob, show: "away");
        Assert.Equal(Model.Away, (await dialog.NotifyWhereAsync(n => n.Presence?.Availability == Model.Away)).Presence!.Availability);
        Assert.Equal(200, (await dialog.RefreshAsync(600)).StatusCode);
    }

    [Fact]
    public async Task A_publication_survives_a_restart_and_its_entity_tag_still_refreshes_it()
    {
        await using var node = new ParleyTestNode(sip: SipNodeFixture.TestOptions);
        await node.StartAsync();
        var alice = await node.CreateUserAsync("alice");
        var carol = await node.CreateUserAsync("carol");
        await using var phone = await SipTestClient.ConnectAsync(node, alice);
        var etag = (await phone.PublishAsync(SipPublisher.Pidf(phone, activity: "busy"), 3600)).Headers[SipHeaderNames.SipETag]!;

        await node.RestartAsync();

        await using var carolPhone = await SipTestClient.ConnectAsync(node, carol);
        var watch = PresenceDialog.For(carolPhone, alice);
        await watch.SubscribeAsync();
        Assert.Equal(Model.Busy, (await watch.NextNotifyAsync()).Presence!.Availability);
        Assert.Equal(200, (await phone.PublishAsync(null, 600, etag)).StatusCode);
    }
}
