using Parley.Server.Management;
using Parley.Server.Tests.Sip.Support;
using Parley.Server.Tests.Support;
using Parley.Server.Tests.Xmpp.Support;
using Model = Parley.Server.Presence.Availability.Availability;

namespace Parley.Server.Tests.Sip.Presence;

/// <summary>The presence setting notifyCoalescingMs: a presentity's changes within the window reach a SIP watcher as one NOTIFY.</summary>
public sealed class NotifyCoalescingTests : IAsyncLifetime
{
    private readonly ParleyTestNode _node = new(sip: SipNodeFixture.TestOptions);

    public Task InitializeAsync() => _node.StartAsync();

    public Task DisposeAsync() => _node.DisposeAsync().AsTask();

    [Fact]
    public async Task Changes_within_the_window_set_while_running_become_one_notify_with_the_last_state()
    {
        var alice = await _node.CreateUserAsync("alice");
        var bob = await _node.CreateUserAsync("bob");
        await using var bobXmpp = await XmppTestClient.OnlineAsync(_node, bob);
        await using var phone = await SipTestClient.ConnectAsync(_node, alice, "TCP");
        var dialog = PresenceDialog.For(phone, bob);
        await dialog.SubscribeAsync(600);
        Assert.Equal(Model.Available, (await dialog.NextNotifyAsync()).Presence!.Availability);
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var revision = await _node.Store.Cms.SetPresenceSettingsAsync(
            _node.Store.Settings.Current.Presence with { NotifyCoalescingMs = PresenceSettingsValidation.MaxNotifyCoalescingMs }, TestStore.Actor, CancellationToken.None);
        await _node.WaitForReplicaRevisionAsync(revision, since);

        // 200 ms apart: with the default 50 ms window each would be its own NOTIFY.
        await bobXmpp.SendPresenceAsync(show: "away", status: "first");
        await Task.Delay(200);
        await bobXmpp.SendPresenceAsync(show: "dnd", status: "second");
        await Task.Delay(200);
        await bobXmpp.SendPresenceAsync(show: "xa", status: "third");

        var notify = await dialog.NextNotifyAsync();
        Assert.Equal("third", notify.Presence!.Note);
    }
}
