using Microsoft.Extensions.DependencyInjection;
using Parley.Server.Management;
using Parley.Server.Presence;
using Parley.Server.Presence.Subscriptions;
using Parley.Server.Roster;
using Parley.Server.Sessions;
using Parley.Server.Storage;
using Parley.Server.Tests.Support;
using Parley.Server.Xmpp;
using Parley.Xmpp;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Streams;
using Parley.Xmpp.Xml;

namespace Parley.Server.Tests.Presence;

/// <summary>The presence engine tells <see cref="IPresenceObserver"/>s about presence and authorisation changes.</summary>
public sealed class PresenceObserverTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private readonly RecordingObserver _observer = new();
    private ServiceProvider _provider = null!;

    private PresenceService Presence => _provider.GetRequiredService<PresenceService>();

    private SubscriptionService Subscriptions => _provider.GetRequiredService<SubscriptionService>();

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddParleyStore(_temp.Path, store => TestStore.Options(_temp.Path) with { Settings = new DeploymentSettingsOptions { AnnounceRevisions = false } });
        services.AddParleyXmpp(new XmppServerOptions());
        services.AddSingleton<IPresenceObserver>(_observer);
        _provider = services.BuildServiceProvider();
        var store = _provider.GetRequiredService<ParleyStore>();
        await store.StartAsync(CancellationToken.None);
        await store.Users.AddDomainAsync("example.com", TestStore.Actor, CancellationToken.None);
        await store.Settings.RefreshAsync(CancellationToken.None);
        foreach (var user in new[] { "alice", "bob" })
        {
            await store.Users.AddUserAsync(TestStore.Jid($"{user}@example.com"), "secret-password", TestStore.Actor, CancellationToken.None);
        }
    }

    public async Task DisposeAsync()
    {
        await _provider.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task Every_broadcast_change_and_the_end_of_an_available_session_are_reported()
    {
        var session = await OnlineAsync("bob@example.com/desk");

        Presence.Broadcast(session, PresenceElement(null));
        Presence.Broadcast(session, PresenceElement("away"));
        Presence.SessionEnded(session);
        Presence.SessionEnded(session); // Already unavailable: no change, nothing reported.

        Assert.Equal(["presence bob@example.com", "presence bob@example.com", "presence bob@example.com"], _observer.Calls);
    }

    [Fact]
    public async Task Approval_and_denial_report_what_the_watcher_may_see_even_for_users_without_a_session()
    {
        var alice = TestStore.Jid("alice@example.com");
        var bob = TestStore.Jid("bob@example.com");

        // Alice has no XMPP session (a SIP watcher): her subscribe goes through the same policy, auto-approved here.
        Assert.Null(await Subscriptions.HandleOutboundAsync(alice, Stanza.Presence(alice, bob, "subscribe"), "subscribe", bob, CancellationToken.None));
        Assert.Contains("authorisation bob@example.com → alice@example.com", _observer.Calls);
        var rosters = _provider.GetRequiredService<IRosterStore>();
        Assert.Equal(Subscription.To, (await rosters.FindAsync(alice, bob, CancellationToken.None))!.Subscription);
        Assert.Equal(Subscription.From, (await rosters.FindAsync(bob, alice, CancellationToken.None))!.Subscription);

        _observer.Calls.Clear();
        Assert.Null(await Subscriptions.HandleOutboundAsync(bob, Stanza.Presence(bob, alice, "unsubscribed"), "unsubscribed", alice, CancellationToken.None));
        Assert.Equal(["authorisation bob@example.com → alice@example.com"], _observer.Calls);
        Assert.Equal(Subscription.None, (await rosters.FindAsync(bob, alice, CancellationToken.None))?.Subscription ?? Subscription.None);
    }

    private async Task<XmppSession> OnlineAsync(string fullJid)
    {
        var jid = Jid.Parse(fullJid);
        var registry = _provider.GetRequiredService<SessionRegistry>();
        var user = await registry.GetOrLoadAsync(jid.Bare, CancellationToken.None);
        var session = new XmppSession(user, jid, new NullTransport());
        user.AddSession(session);
        return session;
    }

    private static Element PresenceElement(string? show)
    {
        var presence = new Element("presence", XmppNamespaces.Client);
        if (show is not null)
        {
            presence.AddChild("show", XmppNamespaces.Client).AddText(show);
        }

        return presence;
    }

    private sealed class RecordingObserver : IPresenceObserver
    {
        public List<string> Calls { get; } = [];

        public void PresenceChanged(Jid user)
        {
            lock (Calls)
            {
                Calls.Add($"presence {user}");
            }
        }

        public void AuthorizationChanged(Jid owner, Jid watcher)
        {
            lock (Calls)
            {
                Calls.Add($"authorisation {owner} → {watcher}");
            }
        }
    }

    private sealed class NullTransport : IStanzaTransport
    {
        public void Send(Element element)
        {
        }

        public void Close(XmppStreamErrorReason? reason, string? text)
        {
        }
    }
}
