using System.Globalization;
using System.Text;
using Parley.Server.Configuration;
using Parley.Server.Diagnostics;
using Parley.Server.Management.Documents;
using Parley.Server.Tests.Federation.Inbound;
using Parley.Server.Tests.Federation.Outbound;
using Parley.Server.Tests.Sip.Support;
using Parley.Server.Tests.Support;
using Parley.Server.Tests.Xmpp.Support;
using Parley.Sip.Messages;
using Parley.Sip.Transactions;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Tests.Federation.RoutingNode;

/// <summary>
/// Two nodes on 127.0.0.1: a routing node the peer sends to, and a front end where the recipient is homed (topology
/// homing). The routing node forwards the peer's requests to the front end with Record-Route and relays the answers.
/// </summary>
public sealed class RoutingNodeTests : IAsyncLifetime
{
    private const string FrontEnd = "fe1.example.com";
    private readonly ParleyTestNode _routing = new(sip: SipNodeFixture.TestOptions);
    private readonly ParleyTestNode _frontEnd = new(sip: SipNodeFixture.TestOptions);

    public async Task InitializeAsync()
    {
        await _routing.StartAsync();
        await _frontEnd.StartAsync();
        await FederationSettings.ApplyAsync(_frontEnd, enabled: true, "127.0.0.1"); // trusts the routing node's address
    }

    public async Task DisposeAsync()
    {
        await _routing.DisposeAsync();
        await _frontEnd.DisposeAsync();
    }

    [Fact]
    public async Task A_peer_message_for_a_user_homed_on_a_front_end_is_forwarded_there_and_answered_through_the_routing_node()
    {
        var bob = await _frontEnd.CreateUserAsync("bob");
        await HomeOnFrontEndAsync(bob);
        await using var b = await SipTestClient.ConnectAsync(_frontEnd, bob);
        Assert.Equal(200, (await b.RegisterAsync(600)).StatusCode);
        await using var peer = await SipTestClient.ConnectAsync(_routing, new TestAccount(Jid.Parse($"carol-{Guid.NewGuid():N}@{ParleyTestNode.Domain}"), string.Empty), "TCP");

        var request = peer.CreateRequest(SipMethods.Message, new SipUri("sip", bob.Local, ParleyTestNode.Domain), callId: Guid.NewGuid().ToString("N") + "@peer");
        request.ContentType = "text/plain;charset=UTF-8";
        request.Body = Encoding.UTF8.GetBytes("via the routing node");
        var response = await peer.SendAsync(request);

        Assert.Equal(200, response.StatusCode); // at the routing node bob has no registration: handled there it would be 202 (stored)
        Assert.Single(response.Vias); // the routing node's own Via was removed
        var delivered = await b.ReceiveRequestAsync(SipMethods.Message);
        Assert.Equal("via the routing node", Encoding.UTF8.GetString(delivered.Body.Span));
        Assert.Equal(peer.Account.Local, delivered.From.Uri.User);
    }

    [Fact]
    public async Task A_peer_subscription_is_record_routed_so_the_front_ends_notify_comes_back_through_the_routing_node()
    {
        var bob = await _frontEnd.CreateUserAsync("bob");
        await HomeOnFrontEndAsync(bob);
        await using var peer = await SipTestClient.ConnectAsync(_routing, new TestAccount(Jid.Parse($"frank-{Guid.NewGuid():N}@{ParleyTestNode.Domain}"), string.Empty), "TCP");
        var subscribe = peer.CreateRequest(SipMethods.Subscribe, new SipUri("sip", bob.Local, ParleyTestNode.Domain));
        subscribe.Headers.Set(SipHeaderNames.Event, "presence");
        subscribe.Headers.Set(SipHeaderNames.Expires, "600");

        var response = await peer.SendAsync(subscribe);

        Assert.Equal(200, response.StatusCode);
        var recordRoute = Assert.Single(response.Headers.GetValues(SipHeaderNames.RecordRoute));
        Assert.Contains($"127.0.0.1:{_routing.SipPort};transport=tcp;lr", recordRoute, StringComparison.Ordinal);
        var notify = await peer.ReceiveRequestAsync(SipMethods.Notify); // the peer's only connection is to the routing node
        Assert.Equal(2, notify.Vias.Count); // the front end's and the routing node's
        Assert.False(notify.Headers.Contains(SipHeaderNames.Route));
    }

    [Fact]
    public async Task A_peer_request_for_a_user_homed_on_the_routing_node_itself_is_not_forwarded()
    {
        var dave = await _routing.CreateUserAsync("dave");
        await using var peer = await SipTestClient.ConnectAsync(_routing, new TestAccount(Jid.Parse($"erin-{Guid.NewGuid():N}@{ParleyTestNode.Domain}"), string.Empty), "TCP");
        await HomeOnFrontEndAsync(null);

        var request = peer.CreateRequest(SipMethods.Message, new SipUri("sip", dave.Local, ParleyTestNode.Domain), callId: Guid.NewGuid().ToString("N") + "@peer");
        request.ContentType = "text/plain;charset=UTF-8";
        request.Body = Encoding.UTF8.GetBytes("stay here");

        Assert.Equal(202, (await peer.SendAsync(request)).StatusCode); // stored offline on the routing node
    }

    [Fact]
    public async Task A_cancel_follows_a_forwarded_invite_to_the_home_node_whose_487_is_relayed()
    {
        await using var home = FakePeer.Start();
        home.Answer = request => request.Method == SipMethods.Invite ? 180 : 200; // rings until cancelled
        var bob = new TestAccount(Jid.Parse($"bob-{Guid.NewGuid():N}@{ParleyTestNode.Domain}"), string.Empty);
        await HomeOnFrontEndAsync(bob, home.Port);
        await using var peer = await SipTestClient.ConnectAsync(_routing, new TestAccount(Jid.Parse($"gina-{Guid.NewGuid():N}@{ParleyTestNode.Domain}"), string.Empty), "TCP");
        var invite = ImInvite(peer, bob);

        var answer = peer.SendAsync(invite);
        var forwarded = await home.NextAsync(SipMethods.Invite);
        var cancelled = await peer.SendAsync(CancelRequest.For(invite));

        Assert.Equal(200, cancelled.StatusCode); // the routing node's own answer to the CANCEL (hop by hop)
        Assert.Equal(487, (await answer).StatusCode);
        var reached = Assert.Single(home.CancelledInvites);
        Assert.Equal(forwarded.CallId, reached.CallId); // the home node got the CANCEL: the 487 is its answer, relayed
        Assert.Equal(forwarded.TopVia.Branch, reached.TopVia.Branch);
    }

    [Fact]
    public async Task A_forwarded_invite_whose_next_hop_never_answers_the_cancel_is_answered_487_after_64_t1()
    {
        await using var home = FakePeer.Start();
        home.Answer = request => request.Method == SipMethods.Invite ? 180 : 200;
        home.AnswersCancelledInvites = false;
        var bob = new TestAccount(Jid.Parse($"bob-{Guid.NewGuid():N}@{ParleyTestNode.Domain}"), string.Empty);
        await HomeOnFrontEndAsync(bob, home.Port);
        await using var peer = await SipTestClient.ConnectAsync(_routing, new TestAccount(Jid.Parse($"hal-{Guid.NewGuid():N}@{ParleyTestNode.Domain}"), string.Empty), "TCP");
        var invite = ImInvite(peer, bob);

        var answer = peer.SendAsync(invite);
        await home.NextAsync(SipMethods.Invite);
        Assert.Equal(200, (await peer.SendAsync(CancelRequest.For(invite))).StatusCode);

        Assert.Equal(487, (await answer).StatusCode); // 64×T1 is 3.2 s with the test timers
        Assert.Single(home.CancelledInvites);
    }

    private static SipRequest ImInvite(SipTestClient peer, TestAccount to)
    {
        var invite = peer.CreateRequest(SipMethods.Invite, new SipUri("sip", to.Local, ParleyTestNode.Domain), callId: Guid.NewGuid().ToString("N") + "@peer");
        invite.Headers.Set(SipHeaderNames.Contact, peer.Contact.ToString());
        invite.ContentType = "application/sdp";
        invite.Body = Encoding.ASCII.GetBytes("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=message 5060 sip null\r\n");
        return invite;
    }

    /// <summary>
    /// The routing node's topology: itself and the front end (listening for SIP on <paramref name="frontEndSipPort"/>,
    /// the test's front end unless given), each in its pool; <paramref name="user"/> homed on the front end's pool.
    /// </summary>
    private async Task HomeOnFrontEndAsync(TestAccount? user, int? frontEndSipPort = null)
    {
        var before = await _routing.Store.Cms.GetRevisionAsync(CancellationToken.None);
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var revision = await _routing.Store.Cms.ChangeAsync(configuration => configuration with
        {
            Federation = new FederationOptions { Enabled = true, RoutingNode = ParleyTestNode.Fqdn },
            IncomingAcl = [new AclEntry("127.0.0.1")],
            Topology = new Topology
            {
                Sites = [new Site("hq")],
                Pools = [new Pool("routing.example.com", "hq"), new Pool("fe.example.com", "hq")],
                Nodes =
                [
                    Node(ParleyTestNode.Fqdn, "routing.example.com", NodeRole.Routing | NodeRole.Cms, _routing),
                    Node(FrontEnd, "fe.example.com", NodeRole.Frontend, _frontEnd, frontEndSipPort),
                ],
                Homing = new UserHoming
                {
                    DefaultPool = "routing.example.com",
                    Users = user is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [user.Jid.ToString()] = "fe.example.com" },
                },
            },
        }, TestStore.Actor, "routing node test", CancellationToken.None);
        if (revision != before)
        {
            await _routing.WaitForEventAsync(ParleyEvents.Management.ReplicaRevisionApplied.Id, since,
                e => e.Message.Contains($"revision {revision.ToString(CultureInfo.InvariantCulture)} ", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the routing node applying its topology");
        }
    }

    private static TopologyNode Node(string fqdn, string pool, NodeRole roles, ParleyTestNode node, int? sipPort = null) => new()
    {
        Fqdn = fqdn,
        Ip = "127.0.0.1",
        Pool = pool,
        Roles = roles,
        Listeners = new NodeListeners { Xmpp = node.Port, Sip = sipPort ?? node.SipPort, SipTls = node.SipsPort, ReplicaAgent = 0, Admin = 0 },
    };
}
