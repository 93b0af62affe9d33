using System.Text;
using Parley.Server.Management.Documents;
using Parley.Server.Sip.Messaging;
using Parley.Server.Tests.Sip.Messaging;
using Parley.Server.Tests.Sip.Support;
using Parley.Server.Tests.Support;
using Parley.Server.Tests.Xmpp.Support;
using Parley.Sip.Messages;

namespace Parley.Server.Tests.Federation.Outbound;

/// <summary>
/// A SIP client of Parley opens a session-mode IM (INVITE m=message) with a user of the federation peer: Parley ends the
/// session and sends what is said in it on to the peer by the route's flavour, as it does for an XMPP user.
/// </summary>
public sealed class SipClientPeerSessionTests : IAsyncLifetime
{
    private readonly ParleyTestNode _node = new(sip: SipNodeFixture.TestOptions);
    private readonly FakePeer _peer = FakePeer.Start();

    public Task InitializeAsync() => _node.StartAsync();

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        await _peer.DisposeAsync();
    }

    [Theory]
    [InlineData(PeerFlavour.Generic)]
    [InlineData(PeerFlavour.Lync)]
    public async Task Text_and_typing_in_the_session_reach_the_peer_user(PeerFlavour flavour)
    {
        await FederateAsync([new StaticRoute(ParleyTestNode.Domain, "127.0.0.1", _peer.Port, "tcp") { Flavour = flavour }]);
        var (client, invite, ok) = await OpenSessionAsync("bob");
        await using var alice = client;
        Assert.Equal(200, ok.StatusCode);

        var text = alice.CreateInDialogRequest(SipMethods.Message, invite, ok);
        text.ContentType = "text/plain";
        text.Body = "hello bob from my phone"u8.ToArray();
        Assert.Equal(200, (await alice.SendAuthenticatedAsync(text)).StatusCode);
        var typing = alice.CreateInDialogRequest(SipMethods.Info, invite, ok);
        typing.ContentType = IsComposingCodec.ContentType;
        typing.Body = "<isComposing xmlns='urn:ietf:params:xml:ns:im-iscomposing'><state>active</state></isComposing>"u8.ToArray();
        Assert.Equal(200, (await alice.SendAuthenticatedAsync(typing)).StatusCode);

        var session = flavour == PeerFlavour.Lync ? await _peer.NextAsync(SipMethods.Invite) : null; // the gateway's own session with the peer
        var delivered = await _peer.NextAsync(SipMethods.Message);
        Assert.Equal("hello bob from my phone", Encoding.UTF8.GetString(delivered.Body.Span));
        Assert.Equal("bob", delivered.To.Uri.User);
        Assert.Equal(alice.Account.Local, delivered.From.Uri.User);
        var composing = await _peer.NextAsync(session is null ? SipMethods.Message : SipMethods.Info);
        Assert.Equal(ChatState.Composing, IsComposingCodec.Decode(composing.Body.Span));
        if (session is not null)
        {
            Assert.Equal(session.CallId, delivered.CallId);
            Assert.Equal(session.CallId, composing.CallId);
        }

        Assert.Equal(200, (await alice.SendAuthenticatedAsync(alice.CreateInDialogRequest(SipMethods.Bye, invite, ok))).StatusCode);
    }

    [Fact]
    public async Task Without_a_static_route_for_the_domain_the_invite_is_404()
    {
        await FederateAsync([]);

        var (client, _, answer) = await OpenSessionAsync("bob");
        await using var alice = client;

        Assert.Equal(404, answer.StatusCode);
        await _peer.ExpectNoneAsync(SipMethods.Invite, TimeSpan.FromMilliseconds(300));
    }

    /// <summary>A registered SIP client of Parley INVITEs <paramref name="peerUser"/>, who is not provisioned here: the client, its INVITE and the final answer.</summary>
    private async Task<(SipTestClient Client, SipRequest Invite, SipResponse Answer)> OpenSessionAsync(string peerUser)
    {
        var account = await _node.CreateUserAsync("alice");
        var alice = await SipTestClient.ConnectAsync(_node, account, "TCP");
        Assert.Equal(200, (await alice.RegisterAsync(600)).StatusCode);
        var invite = alice.CreateRequest(SipMethods.Invite, new SipUri("sip", peerUser, ParleyTestNode.Domain), callId: Guid.NewGuid().ToString("N"));
        invite.ContentType = "application/sdp";
        invite.Body = Encoding.ASCII.GetBytes(ImSessionTests.Offer);
        var challenge = await alice.SendAsync(invite.Clone());
        Assert.Equal(407, challenge.StatusCode);
        var authorized = alice.Authorize(invite, challenge);
        var answer = await alice.SendAsync(authorized);
        if (answer.StatusCode == 200)
        {
            await alice.WriteAsync(alice.AckFor(authorized, answer, NameAddress.Parse(answer.Headers[SipHeaderNames.Contact]!).Uri));
        }

        return (alice, authorized, answer);
    }

    private async Task FederateAsync(StaticRoute[] routes)
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var revision = await _node.Store.Cms.ChangeAsync(
            configuration => configuration with { Federation = new FederationOptions { Enabled = true }, StaticRoutes = routes },
            TestStore.Actor, "SIP client to the peer", CancellationToken.None);
        await _node.WaitForReplicaRevisionAsync(revision, since);
    }
}
