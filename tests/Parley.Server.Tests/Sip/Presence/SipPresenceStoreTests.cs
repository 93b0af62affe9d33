using System.Net;
using Parley.Server.Presence.Availability;
using Parley.Server.Sip.Presence.Publications;
using Parley.Server.Sip.Presence.Subscriptions;
using Parley.Server.Sip.Registrar;
using Parley.Server.Tests.Support;
using Parley.Sip.Messages;
using Parley.Sip.Transport;

namespace Parley.Server.Tests.Sip.Presence;

/// <summary>SIP subscriptions and publications in SQLite (schema migration 3).</summary>
public sealed class SipPresenceStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 14, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Subscriptions_round_trip_with_their_dialog_and_flow_and_expired_ones_are_removed_on_load()
    {
        using var temp = new TempDirectory();
        await using var store = await TestStore.OpenAsync(temp.Path);
        var subscriptions = new SqliteSipSubscriptionStore(store.Database);
        var dialog = new SubscriptionDialog("call@h", "local", "remote", 42, 7, NameAddress.Parse("<sip:bob@example.com>"),
            NameAddress.Parse("\"Alice\" <sip:alice@example.com>"), SipUri.Parse("sip:alice@192.0.2.5:5070;transport=tcp"),
            [NameAddress.Parse("<sip:p1.example.com;lr>"), NameAddress.Parse("<sip:p2.example.com;lr>")], true);
        var flow = new SipFlow(SipTransportKind.Tcp, IPEndPoint.Parse("192.0.2.5:40000"), IPEndPoint.Parse("192.0.2.1:5060"));
        var live = new SipSubscription("s1", TestStore.Jid("alice@example.com"), TestStore.Jid("bob@example.com"), dialog, flow,
            "application/pidf+xml", "17", Now.AddHours(1));
        var expired = new SipSubscription("s2", TestStore.Jid("carol@example.com"), TestStore.Jid("bob@example.com"),
            new SubscriptionDialog("c2", "l", "r", 0, 1, NameAddress.Parse("<sip:bob@example.com>"), NameAddress.Parse("<sip:carol@example.com>"),
                SipUri.Parse("sip:carol@192.0.2.6"), [], false), flow, null, null, Now.AddSeconds(-1));
        await subscriptions.SaveAsync(live, CancellationToken.None);
        await subscriptions.SaveAsync(expired, CancellationToken.None);

        var restored = await subscriptions.LoadAsync(Now, CancellationToken.None);

        Assert.Equal(1, restored.ExpiredRemoved);
        var read = Assert.Single(restored.Subscriptions);
        Assert.Equal(("s1", live.Watcher, live.Presentity, "application/pidf+xml", "17", live.Expires), (read.Id, read.Watcher, read.Presentity, read.Accept, read.EventId, read.Expires));
        Assert.Equal((flow.Transport, flow.Remote, flow.Local), (read.Flow.Transport, read.Flow.Remote, read.Flow.Local));
        Assert.Equal(42u, read.StoredLocalSequence);
        var d = read.Dialog;
        Assert.Equal(("call@h", "local", "remote", 42u, 7u, true), (d.CallId, d.LocalTag, d.RemoteTag, d.LocalSequence, d.RemoteSequence, d.IsSecure));
        Assert.Equal(dialog.RemoteTarget, d.RemoteTarget);
        Assert.Equal("\"Alice\" <sip:alice@example.com>", d.RemoteParty.ToString());
        Assert.Equal(["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"], d.RouteSet.Select(r => r.ToString()));

        await subscriptions.DeleteAsync("s1", CancellationToken.None);
        Assert.Empty((await subscriptions.LoadAsync(Now, CancellationToken.None)).Subscriptions);
    }

    [Fact]
    public async Task Publications_round_trip_and_a_modification_replaces_the_old_entity_tag()
    {
        using var temp = new TempDirectory();
        await using var store = await TestStore.OpenAsync(temp.Path);
        var publications = new SqliteSipPublicationStore(store.Database);
        var alice = TestStore.Jid("alice@example.com");
        var first = new SipPublication("e1", alice, new PresenceState(Availability.OnThePhone, "call"), Now, Now.AddHours(1));
        var second = first with { ETag = "e2", State = new PresenceState(Availability.Away, null) };
        var old = new SipPublication("e3", alice, new PresenceState(Availability.Busy, null), Now.AddHours(-2), Now.AddHours(-1));

        await publications.SaveAsync(first, null, CancellationToken.None);
        await publications.SaveAsync(old, null, CancellationToken.None);
        await publications.SaveAsync(second, "e1", CancellationToken.None);

        Assert.Equal([second], await publications.LoadAsync(Now, CancellationToken.None));
        await publications.DeleteAsync("e2", CancellationToken.None);
        Assert.Empty(await publications.LoadAsync(Now, CancellationToken.None));
    }
}
