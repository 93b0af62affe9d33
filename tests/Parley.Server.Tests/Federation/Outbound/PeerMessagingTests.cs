using System.Text;
using Parley.Server.Diagnostics;
using Parley.Server.Federation.Outbound;
using Parley.Server.Management.Documents;
using Parley.Server.Sip.Messaging;
using Parley.Sip.Messages;
using Parley.Xmpp;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Tests.Federation.Outbound;

/// <summary>
/// IM between an XMPP user and a peer user: page-mode MESSAGE for a generic peer, a session (INVITE m=message, in-dialog
/// MESSAGE and INFO) for a Lync-flavoured one, chat states as isComposing, group chat refused, no route refused.
/// </summary>
public sealed class PeerMessagingTests : IAsyncLifetime
{
    private const string ChatStates = "http://jabber.org/protocol/chatstates";
    private readonly FederationHarness _harness = new();
    private readonly Jid _bob = Jid.Parse("bob@example.com");
    private FakePeer _peer = null!;
    private TestSession _alice = null!;

    public async Task InitializeAsync()
    {
        await _harness.StartAsync();
        _peer = FakePeer.Start();
        _alice = await _harness.OnlineAsync(await _harness.CreateUserAsync("alice"));
    }

    public async Task DisposeAsync()
    {
        await _harness.DisposeAsync();
        await _peer.DisposeAsync();
    }

    [Fact]
    public async Task A_generic_peer_gets_page_mode_message_with_the_text()
    {
        _harness.Federate(PeerFlavour.Generic, ("example.com", _peer.Port, 1));

        await _alice.SendChatAsync(_bob, "hello bob");

        var message = await _peer.NextAsync(SipMethods.Message);
        Assert.Null(message.To.Tag);
        Assert.Equal($"sip:bob@{FederationHarness.Domain}", message.RequestUri.ToString());
        Assert.Equal(_alice.Jid.Local, message.From.Uri.User);
        Assert.StartsWith("text/plain", message.ContentType, StringComparison.Ordinal);
        Assert.Equal("hello bob", Encoding.UTF8.GetString(message.Body.Span));
    }

    [Fact]
    public async Task A_chat_state_to_a_generic_peer_is_an_iscomposing_message()
    {
        _harness.Federate(PeerFlavour.Generic, ("example.com", _peer.Port, 1));

        await _alice.SendChatAsync(_bob, null, chatState: "composing");

        var message = await _peer.NextAsync(SipMethods.Message);
        Assert.Equal(IsComposingCodec.ContentType, message.ContentType);
        Assert.Equal(ChatState.Composing, IsComposingCodec.Decode(message.Body.Span));
    }

    [Fact]
    public async Task A_lync_peer_gets_a_session_invite_then_messages_and_typing_in_the_dialog()
    {
        _harness.Federate(PeerFlavour.Lync, ("example.com", _peer.Port, 1));

        await _alice.SendChatAsync(_bob, "first");

        var invite = await _peer.NextAsync(SipMethods.Invite);
        Assert.Equal("application/sdp", invite.ContentType);
        Assert.Contains("m=message ", Encoding.ASCII.GetString(invite.Body.Span), StringComparison.Ordinal);
        var ack = await _peer.NextAsync(SipMethods.Ack);
        Assert.Equal(invite.CallId, ack.CallId);
        var first = await _peer.NextAsync(SipMethods.Message);
        Assert.Equal(invite.CallId, first.CallId);
        Assert.NotNull(first.To.Tag);
        Assert.Equal("first", Encoding.UTF8.GetString(first.Body.Span));

        await _alice.SendChatAsync(_bob, null, chatState: "composing");
        var info = await _peer.NextAsync(SipMethods.Info);
        Assert.Equal(invite.CallId, info.CallId);
        Assert.Equal(ChatState.Composing, IsComposingCodec.Decode(info.Body.Span));

        await _alice.SendChatAsync(_bob, "second");
        var second = await _peer.NextAsync(SipMethods.Message);
        Assert.Equal(invite.CallId, second.CallId);
        await _peer.ExpectNoneAsync(SipMethods.Invite, TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task The_peer_users_messages_in_the_session_reach_the_xmpp_user()
    {
        _harness.Federate(PeerFlavour.Lync, ("example.com", _peer.Port, 1));
        await _alice.SendChatAsync(_bob, "hi");
        var invite = await _peer.NextAsync(SipMethods.Invite);
        await _peer.NextAsync(SipMethods.Message);

        var response = await _peer.SendInDialogAsync(invite.CallId, SipMethods.Message, request =>
        {
            request.ContentType = "text/plain;charset=UTF-8";
            request.Body = "hi alice"u8.ToArray();
        }, _harness.SipEndPoint);

        Assert.Equal(200, response.StatusCode);
        var message = await _alice.ReceiveAsync(e => e.Name == "message" && e.ChildText("body", XmppNamespaces.Client) == "hi alice", "the peer user's message");
        Assert.StartsWith(_bob.ToString(), message.GetAttribute("from"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_peer_users_typing_in_the_session_reaches_the_xmpp_user_as_a_chat_state()
    {
        _harness.Federate(PeerFlavour.Lync, ("example.com", _peer.Port, 1));
        await _alice.SendChatAsync(_bob, "hi");
        var invite = await _peer.NextAsync(SipMethods.Invite);
        await _peer.NextAsync(SipMethods.Message);

        var response = await _peer.SendInDialogAsync(invite.CallId, SipMethods.Info, request =>
        {
            request.ContentType = IsComposingCodec.ContentType;
            request.Body = IsComposingCodec.Encode(ChatState.Composing);
        }, _harness.SipEndPoint);

        Assert.Equal(200, response.StatusCode);
        await _alice.ReceiveAsync(e => e.Name == "message" && e.Child("composing", ChatStates) is not null, "the composing chat state");
    }

    [Fact]
    public async Task The_peer_ending_the_session_with_bye_makes_the_next_message_open_a_new_one()
    {
        _harness.Federate(PeerFlavour.Lync, ("example.com", _peer.Port, 1));
        await _alice.SendChatAsync(_bob, "one");
        var invite = await _peer.NextAsync(SipMethods.Invite);
        await _peer.NextAsync(SipMethods.Message);

        Assert.Equal(200, (await _peer.SendInDialogAsync(invite.CallId, SipMethods.Bye, _ => { }, _harness.SipEndPoint)).StatusCode);
        await _alice.SendChatAsync(_bob, "two");

        var again = await _peer.NextAsync(SipMethods.Invite);
        Assert.NotEqual(invite.CallId, again.CallId);
    }

    [Fact]
    public async Task A_peer_that_never_answers_holds_up_neither_the_senders_stream_nor_the_order_of_the_conversation()
    {
        _harness.Federate(PeerFlavour.Generic, ("example.com", _peer.Port, 1));
        _peer.Answer = _ => null; // a black hole: the MESSAGE transaction waits for timer F (32 s)

        var first = _alice.SendChatAsync(_bob, "anyone?");
        await _peer.NextAsync(SipMethods.Message);
        await first.WaitAsync(TimeSpan.FromSeconds(5)); // the client's next stanza is read at once
        await _alice.SendChatAsync(_bob, "second").WaitAsync(TimeSpan.FromSeconds(5));

        await _peer.ExpectNoneAsync(SipMethods.Message, TimeSpan.FromSeconds(1)); // in order: behind the first
        Assert.Equal(1, _harness.Get<PeerSendQueue>().ActiveConversations);
    }

    [Fact]
    public async Task A_conversation_with_too_many_messages_waiting_for_the_peer_refuses_the_next_at_once()
    {
        _harness.Federate(PeerFlavour.Generic, ("example.com", _peer.Port, 1));
        _peer.Answer = _ => null;

        for (var i = 0; i < PeerSendQueue.MaxPendingPerConversation; i++)
        {
            await _alice.SendChatAsync(_bob, $"queued {i}").WaitAsync(TimeSpan.FromSeconds(5));
        }

        await _alice.SendChatAsync(_bob, "one too many");

        var error = await _alice.ReceiveAsync(e => e.Name == "message" && e.GetAttribute("type") == "error", "the refusal");
        Assert.NotNull(error.Child("error", XmppNamespaces.Client)?.Child("resource-constraint", XmppNamespaces.Stanzas));
    }

    [Fact]
    public async Task A_refused_invite_gives_the_sender_an_error()
    {
        _harness.Federate(PeerFlavour.Lync, ("example.com", _peer.Port, 1));
        _peer.Answer = request => request.Method == SipMethods.Invite ? 480 : 200;

        await _alice.SendChatAsync(_bob, "are you there?");

        var error = await _alice.ReceiveAsync(e => e.Name == "message" && e.GetAttribute("type") == "error", "the error");
        Assert.NotNull(error.Child("error", XmppNamespaces.Client)?.Child("recipient-unavailable", XmppNamespaces.Stanzas));
        Assert.Contains(_harness.Events.Raised, e => e.Definition == ParleyEvents.Federation.PeerMessageFailed);
    }

    [Fact]
    public async Task Group_chat_to_a_peer_user_is_feature_not_implemented()
    {
        _harness.Federate(PeerFlavour.Lync, ("example.com", _peer.Port, 1));

        await _alice.SendChatAsync(_bob, "everyone", type: "groupchat");

        var error = await _alice.ReceiveAsync(e => e.Name == "message" && e.GetAttribute("type") == "error", "the group chat error");
        var condition = error.Child("error", XmppNamespaces.Client)!;
        Assert.NotNull(condition.Child("feature-not-implemented", XmppNamespaces.Stanzas));
        Assert.Equal(PeerMessaging.GroupChatRefusal, condition.ChildText("text", XmppNamespaces.Stanzas));
        await _peer.ExpectNoneAsync(SipMethods.Invite, TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Without_a_matching_route_the_sender_gets_an_error_and_the_event_names_the_domain()
    {
        _harness.Federate(PeerFlavour.Lync, ("other.org", _peer.Port, 1));

        await _alice.SendChatAsync(_bob, "hello?");

        var error = await _alice.ReceiveAsync(e => e.Name == "message" && e.GetAttribute("type") == "error", "the no-route error");
        Assert.NotNull(error.Child("error", XmppNamespaces.Client)?.Child("remote-server-not-found", XmppNamespaces.Stanzas));
        Assert.Contains(_harness.Events.Raised, e => e.Definition == ParleyEvents.Federation.NoStaticRoute && (string?)e.Args[0] == FederationHarness.Domain);
    }

    [Fact]
    public async Task With_federation_off_a_non_local_user_gets_the_old_answer()
    {
        await _alice.SendChatAsync(_bob, "hello?");

        var error = await _alice.ReceiveAsync(e => e.Name == "message" && e.GetAttribute("type") == "error", "the error");
        Assert.NotNull(error.Child("error", XmppNamespaces.Client)?.Child("service-unavailable", XmppNamespaces.Stanzas));
        await _peer.ExpectNoneAsync(SipMethods.Message, TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task A_local_sip_users_message_to_a_peer_user_goes_to_the_peer()
    {
        _harness.Federate(PeerFlavour.Generic, ("example.com", _peer.Port, 1));

        var status = await _harness.Get<SipMessageIngress>().RouteAsync(_alice.Jid.Bare, _bob, new InstantMessageContent("from my phone", null), CancellationToken.None);

        Assert.Equal(200, status);
        var message = await _peer.NextAsync(SipMethods.Message);
        Assert.Equal("from my phone", Encoding.UTF8.GetString(message.Body.Span));
    }

    [Fact]
    public async Task A_peer_users_message_for_an_unknown_local_address_is_404_and_never_sent_back_to_the_peer()
    {
        _harness.Federate(PeerFlavour.Generic, ("example.com", _peer.Port, 1));

        var status = await _harness.Get<SipMessageIngress>().RouteAsync(_bob, Jid.Parse("nobody@example.com"), new InstantMessageContent("loop?", null), CancellationToken.None);

        Assert.Equal(404, status);
        await _peer.ExpectNoneAsync(SipMethods.Message, TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task A_peer_users_page_mode_message_reaches_the_xmpp_user()
    {
        _harness.Federate(PeerFlavour.Generic, ("example.com", _peer.Port, 1));

        var status = await _harness.Get<SipMessageIngress>().RouteAsync(_bob, _alice.Jid.Bare, new InstantMessageContent("page mode hello", null), CancellationToken.None);

        Assert.Equal(200, status);
        var message = await _alice.ReceiveAsync(e => e.Name == "message" && e.ChildText("body", XmppNamespaces.Client) == "page mode hello", "the peer user's message");
        Assert.StartsWith(_bob.ToString(), message.GetAttribute("from"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_idle_session_opened_to_the_peer_is_ended_with_bye()
    {
        await using var harness = new FederationHarness(sip: Parley.Server.Tests.Sip.Support.SipNodeFixture.TestOptions with { ImSessionIdleTimeout = TimeSpan.FromSeconds(2) });
        await harness.StartAsync();
        harness.Federate(PeerFlavour.Lync, ("example.com", _peer.Port, 1));
        var alice = await harness.OnlineAsync(await harness.CreateUserAsync("alice"));
        await alice.SendChatAsync(_bob, "short chat");
        var invite = await _peer.NextAsync(SipMethods.Invite);

        var bye = await _peer.NextAsync(SipMethods.Bye, TimeSpan.FromSeconds(10));

        Assert.Equal(invite.CallId, bye.CallId);
        Assert.Equal(0, harness.Get<ImSessions>().Count);
    }
}
