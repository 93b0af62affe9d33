using System.Net;
using Parley.Server.Sip.Presence.Subscriptions;
using Parley.Server.Sip.Registrar;
using Parley.Server.Tests.Support;
using Parley.Sip.Messages;
using Parley.Sip.Transport;

namespace Parley.Server.Tests.Sip.Presence;

public sealed class SipSubscriptionRegistryTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 14, 0, 0, TimeSpan.Zero);

    private static SipSubscription Subscription(string watcher, string presentity, string callId, DateTimeOffset? expires = null)
        => new(callId, TestStore.Jid(watcher), TestStore.Jid(presentity),
            new SubscriptionDialog(callId, "l-" + callId, "r-" + callId, 0, 1, NameAddress.Parse($"<sip:{presentity}>"), NameAddress.Parse($"<sip:{watcher}>"),
                SipUri.Parse("sip:192.0.2.5"), [], false),
            new SipFlow(SipTransportKind.Udp, IPEndPoint.Parse("192.0.2.5:5060"), IPEndPoint.Parse("192.0.2.1:5060")), null, null, expires ?? Now.AddHours(1));

    [Fact]
    public void Subscriptions_are_found_by_dialog_and_presentity_and_counted_per_watcher_up_to_the_limit()
    {
        var registry = new SipSubscriptionRegistry();
        var a = Subscription("alice@example.com", "bob@example.com", "c1");
        var b = Subscription("alice@example.com", "carol@example.com", "c2");
        var c = Subscription("alice@example.com", "dave@example.com", "c3");

        Assert.True(registry.TryAdd(a, 2));
        Assert.True(registry.TryAdd(b, 2));
        Assert.False(registry.TryAdd(c, 2));
        Assert.False(registry.TryAdd(a, 10)); // The same dialog twice.

        Assert.Same(a, registry.Find(SubscriptionKey.Of(a.Dialog)));
        Assert.Equal([a], registry.ForPresentity(TestStore.Jid("bob@example.com")));
        Assert.True(registry.HasWatchers(TestStore.Jid("carol@example.com")));
        Assert.False(registry.HasWatchers(TestStore.Jid("dave@example.com")));
        Assert.Equal(2, registry.CountFor(TestStore.Jid("alice@example.com")));

        Assert.True(registry.Remove(a));
        Assert.False(registry.Remove(a));
        Assert.True(registry.TryAdd(c, 2));
        Assert.Empty(registry.ForPresentity(TestStore.Jid("bob@example.com")));
        Assert.False(registry.HasWatchers(TestStore.Jid("bob@example.com")));
    }

    [Fact]
    public void Expired_subscriptions_are_listed_at_their_expiry()
    {
        var registry = new SipSubscriptionRegistry();
        var soon = Subscription("alice@example.com", "bob@example.com", "c1", Now.AddSeconds(10));
        var later = Subscription("carol@example.com", "bob@example.com", "c2", Now.AddSeconds(60));
        registry.TryAdd(soon, 10);
        registry.TryAdd(later, 10);

        Assert.Empty(registry.ExpiredAt(Now));
        Assert.Equal([soon], registry.ExpiredAt(Now.AddSeconds(10)));
        Assert.Equal(2, registry.ExpiredAt(Now.AddSeconds(60)).Length);
    }
}
