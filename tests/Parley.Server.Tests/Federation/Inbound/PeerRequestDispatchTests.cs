using System.Text;
using Parley.Server.Diagnostics;
using Parley.Server.Tests.Sip.Support;
using Parley.Server.Tests.Xmpp.Support;
using Parley.Sip.Messages;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Tests.Federation.Inbound;

/// <summary>
/// The dispatcher rules for requests from the federation peer, on a running node with SIP on 127.0.0.1: the incoming
/// ACL decides who the peer is; its users are served without a challenge, loops end in 404, and REGISTER is refused.
/// </summary>
public sealed class PeerRequestDispatchTests(SipNodeFixture fixture) : IClassFixture<SipNodeFixture>
{
    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task A_trusted_peer_users_message_to_a_local_sip_user_is_delivered_without_a_challenge()
    {
        await FederationSettings.ApplyAsync(Node, enabled: true, "127.0.0.1");
        var bob = await Node.CreateUserAsync("bob");
        await using var b = await SipTestClient.ConnectAsync(Node, bob);
        Assert.Equal(200, (await b.RegisterAsync(600)).StatusCode); // a local user from the peer's address still registers
        await using var peer = await SipTestClient.ConnectAsync(Node, PeerUser("carol"), "TCP");

        var response = await peer.SendAsync(Message(peer, bob, "hello from the peer"));

        Assert.Equal(200, response.StatusCode);
        var message = await b.ReceiveRequestAsync(SipMethods.Message);
        Assert.Equal("hello from the peer", Encoding.UTF8.GetString(message.Body.Span));
        Assert.Equal(peer.Account.Local, message.From.Uri.User);
    }

    [Fact]
    public async Task A_trusted_peer_users_subscribe_to_a_local_user_is_served_like_a_native_watchers()
    {
        await FederationSettings.ApplyAsync(Node, enabled: true, "127.0.0.1");
        var bob = await Node.CreateUserAsync("bob");
        await using var peer = await SipTestClient.ConnectAsync(Node, PeerUser("dave"));
        var subscribe = peer.CreateRequest(SipMethods.Subscribe, new SipUri("sip", bob.Local, ParleyTestNode.Domain));
        subscribe.Headers.Set(SipHeaderNames.Event, "presence");
        subscribe.Headers.Set(SipHeaderNames.Expires, "600");

        var response = await peer.SendAsync(subscribe);

        Assert.Equal(200, response.StatusCode);
        var notify = await peer.ReceiveRequestAsync(SipMethods.Notify);
        Assert.Equal(peer.Account.Local, notify.To.Uri.User);
        Assert.StartsWith("active", notify.Headers[SipHeaderNames.SubscriptionState], StringComparison.Ordinal);

        // A new configuration revision re-checks every watcher's account: the peer's user has none and keeps watching.
        await FederationSettings.ApplyAsync(Node, enabled: true, "127.0.0.1", "192.0.2.10");
        await using var bobOnline = await XmppTestClient.OnlineAsync(Node, bob, show: "away");
        var change = await peer.ReceiveRequestAsync(SipMethods.Notify);
        Assert.StartsWith("active", change.Headers[SipHeaderNames.SubscriptionState], StringComparison.Ordinal);
        Assert.Contains("away", Encoding.UTF8.GetString(change.Body.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_untrusted_source_sending_as_a_non_local_user_of_the_domain_is_challenged_and_the_acl_event_names_it()
    {
        await FederationSettings.ApplyAsync(Node, enabled: true, "127.0.0.9");
        var bob = await Node.CreateUserAsync("bob");
        await using var stranger = await SipTestClient.ConnectAsync(Node, PeerUser("eve"));
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);

        var response = await stranger.SendAsync(Message(stranger, bob, "let me in"));

        Assert.Equal(407, response.StatusCode);
        var raised = await Node.WaitForEventAsync(ParleyEvents.Federation.UpstreamNotTrusted.Id, since,
            e => e.Message.Contains(stranger.Account.Jid.ToString(), StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the untrusted upstream");
        Assert.Contains("ACL - upstream not trusted - need to authenticate", raised.Message, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", raised.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_peer_request_for_a_user_nobody_hosts_is_a_loop_answered_404_and_counted()
    {
        await FederationSettings.ApplyAsync(Node, enabled: true, "127.0.0.1");
        var nobody = PeerUser("nobody");
        await using var peer = await SipTestClient.ConnectAsync(Node, PeerUser("frank"));
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);

        var response = await peer.SendAsync(Message(peer, nobody, "anyone?"));

        Assert.Equal(404, response.StatusCode);
        var raised = await Node.WaitForEventAsync(ParleyEvents.Federation.LoopRejected.Id, since,
            e => e.Message.Contains(nobody.Local, StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the rejected loop");
        Assert.Contains("127.0.0.1", raised.Message, StringComparison.Ordinal);
        Assert.Matches(@"\(\d+ rejected since start\)", raised.Message);
    }

    [Fact]
    public async Task A_domain_the_peer_routes_here_but_parley_does_not_host_is_named_as_configured_on_one_side_only()
    {
        await FederationSettings.ApplyAsync(Node, enabled: true, "127.0.0.1");
        await using var peer = await SipTestClient.ConnectAsync(Node, PeerUser("erin"));
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var request = Message(peer, PeerUser("olivia"), "hello");
        request.RequestUri = new SipUri("sip", "olivia", "sales.example.com"); // a subdomain is a different domain (seed R1.3)

        Assert.Equal(404, (await peer.SendAsync(request)).StatusCode);
        var raised = await Node.WaitForEventAsync(ParleyEvents.Federation.DomainOnPeerOnly.Id, since,
            e => e.Message.Contains("sales.example.com", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the one-sided domain");
        Assert.Contains("127.0.0.1", raised.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_disabled_local_user_is_no_user_for_the_peer_either()
    {
        await FederationSettings.ApplyAsync(Node, enabled: true, "127.0.0.1");
        var bob = await Node.CreateUserAsync("bob");
        await Node.DisableUserAsync(bob);
        await using var peer = await SipTestClient.ConnectAsync(Node, PeerUser("grace"));

        Assert.Equal(404, (await peer.SendAsync(Message(peer, bob, "hi"))).StatusCode);
    }

    [Fact]
    public async Task Register_from_a_trusted_peer_user_is_refused_403()
    {
        await FederationSettings.ApplyAsync(Node, enabled: true, "127.0.0.1");
        await using var peer = await SipTestClient.ConnectAsync(Node, PeerUser("heidi"));

        Assert.Equal(403, (await peer.RegisterAsync(600)).StatusCode);
    }

    [Fact]
    public async Task With_federation_disabled_the_acl_trusts_nobody_and_nothing_is_reported()
    {
        await FederationSettings.ApplyAsync(Node, enabled: false, "127.0.0.1");
        var bob = await Node.CreateUserAsync("bob");
        await using var peer = await SipTestClient.ConnectAsync(Node, PeerUser("ivan"));
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        // The node is shared with the other tests: only events after this point count.
        var before = (await Node.Store.Events.QueryAsync(null, since, 1000, CancellationToken.None)).Select(e => e.Sequence).DefaultIfEmpty(0).Max();

        Assert.Equal(407, (await peer.SendAsync(Message(peer, bob, "hi"))).StatusCode);

        await Task.Delay(300);
        var events = await Node.Store.Events.QueryAsync(null, since, 1000, CancellationToken.None);
        Assert.DoesNotContain(events, e => e.Sequence > before && e.Id is >= 3600 and <= 3629);
    }

    /// <summary>A user of the shared domain with no account here: a user of the peer.</summary>
    private static TestAccount PeerUser(string name) => new(Jid.Parse($"{name}-peer-{Guid.NewGuid().ToString("N")[..6]}@{ParleyTestNode.Domain}"), string.Empty);

    private static SipRequest Message(SipTestClient from, TestAccount to, string text)
    {
        var request = from.CreateRequest(SipMethods.Message, new SipUri("sip", to.Local, to.Jid.Domain), callId: Guid.NewGuid().ToString("N") + "@peer");
        request.Headers.Remove(SipHeaderNames.Contact);
        request.ContentType = "text/plain;charset=UTF-8";
        request.Body = Encoding.UTF8.GetBytes(text);
        return request;
    }
}
