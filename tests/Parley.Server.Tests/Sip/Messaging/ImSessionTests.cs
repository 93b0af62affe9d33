using System.Text;
using Parley.Server.Tests.Sip.Support;
using Parley.Server.Tests.Xmpp.Support;
using Parley.Sip.Messages;
using Parley.Xmpp;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Xml;
using static Parley.Server.Tests.Xmpp.Support.XmppTestClient;

namespace Parley.Server.Tests.Sip.Messaging;

/// <summary>Session-mode IM as Lync does it: INVITE (m=message), in-dialog MESSAGE and INFO, BYE.</summary>
public sealed class ImSessionTests(SipNodeFixture fixture) : IClassFixture<SipNodeFixture>
{
    internal const string Offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=message 5060 sip null\r\na=accept-types:text/plain\r\n";

    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task An_im_session_carries_text_and_typing_both_ways_and_ends_with_bye()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var a = await SipTestClient.ConnectAsync(Node, alice);
        Assert.Equal(200, (await a.RegisterAsync(600)).StatusCode);
        await using var b = await OnlineAsync(Node, bob);
        var aliceSip = Jid.Parse($"{alice.Jid}/sip");

        var invite = a.CreateRequest(SipMethods.Invite, new SipUri("sip", bob.Local, ParleyTestNode.Domain), callId: Guid.NewGuid().ToString("N"));
        invite.ContentType = "application/sdp";
        invite.Body = Encoding.ASCII.GetBytes(Offer);
        var challenge = await a.SendAsync(invite.Clone());
        Assert.Equal(407, challenge.StatusCode);
        var authorized = a.Authorize(invite, challenge);
        var ok = await a.SendAsync(authorized);

        Assert.Equal(200, ok.StatusCode);
        Assert.Equal("application/sdp", ok.ContentType);
        Assert.Contains("m=message ", Encoding.ASCII.GetString(ok.Body.Span), StringComparison.Ordinal);
        Assert.NotNull(ok.To.Tag);
        await a.WriteAsync(a.AckFor(authorized, ok, NameAddress.Parse(ok.Headers[SipHeaderNames.Contact]!).Uri));

        var text = a.CreateInDialogRequest(SipMethods.Message, authorized, ok);
        text.ContentType = "text/plain";
        text.Body = "hello in session"u8.ToArray();
        Assert.Equal(200, (await a.SendAuthenticatedAsync(text)).StatusCode);
        var received = await b.ReceiveAsync(e => IsMessageFrom(e, aliceSip), "the session message");
        Assert.Equal("hello in session", received.ChildText("body", XmppNamespaces.Client));

        var typing = a.CreateInDialogRequest(SipMethods.Info, authorized, ok);
        typing.ContentType = "application/im-iscomposing+xml";
        typing.Body = "<isComposing xmlns='urn:ietf:params:xml:ns:im-iscomposing'><state>active</state></isComposing>"u8.ToArray();
        Assert.Equal(200, (await a.SendAuthenticatedAsync(typing)).StatusCode);
        var state = await b.ReceiveAsync(e => IsMessageFrom(e, aliceSip), "the typing notification");
        Assert.NotNull(state.Child("composing", XmppNamespaces.ChatStates));

        await b.SendMessageAsync(alice.Jid, "reply in session");
        var reply = await a.ReceiveRequestAsync(SipMethods.Message);
        Assert.Equal(authorized.CallId, reply.CallId);
        Assert.Equal(authorized.From.Tag, reply.To.Tag);
        Assert.Equal(ok.To.Tag, reply.From.Tag);
        Assert.Equal("reply in session", Encoding.UTF8.GetString(reply.Body.Span));
        Assert.Equal(NameAddress.Parse(authorized.Headers[SipHeaderNames.Contact]!).Uri, reply.RequestUri);

        await b.SendMessageAsync(alice.Jid, null, extra: new Element("composing", XmppNamespaces.ChatStates));
        var info = await a.ReceiveRequestAsync(SipMethods.Info);
        Assert.Equal(authorized.CallId, info.CallId);
        Assert.Contains("<state>active</state>", Encoding.UTF8.GetString(info.Body.Span), StringComparison.Ordinal);

        Assert.Equal(200, (await a.SendAuthenticatedAsync(a.CreateInDialogRequest(SipMethods.Bye, authorized, ok))).StatusCode);
        var after = a.CreateInDialogRequest(SipMethods.Message, authorized, ok);
        after.ContentType = "text/plain";
        after.Body = "too late"u8.ToArray();
        Assert.Equal(481, (await a.SendAuthenticatedAsync(after)).StatusCode);
    }

    [Fact]
    public async Task An_invite_without_a_message_stream_is_refused_488()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var a = await SipTestClient.ConnectAsync(Node, alice);
        var invite = a.CreateRequest(SipMethods.Invite, new SipUri("sip", bob.Local, ParleyTestNode.Domain), callId: Guid.NewGuid().ToString("N"));
        invite.ContentType = "application/sdp";
        invite.Body = Encoding.ASCII.GetBytes(Offer.Replace("m=message 5060 sip null", "m=audio 4000 RTP/AVP 0", StringComparison.Ordinal));

        var response = await a.SendAuthenticatedAsync(invite);

        Assert.Equal(488, response.StatusCode);
    }

    [Fact]
    public async Task A_bye_for_an_unknown_dialog_is_481()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var a = await SipTestClient.ConnectAsync(Node, alice);
        var bye = a.CreateRequest(SipMethods.Bye, new SipUri("sip", bob.Local, ParleyTestNode.Domain), callId: Guid.NewGuid().ToString("N"));
        bye.Headers.Set(SipHeaderNames.To, $"<sip:{bob.Local}@{ParleyTestNode.Domain}>;tag=nosuchdialog");

        Assert.Equal(481, (await a.SendAuthenticatedAsync(bye)).StatusCode);
    }
}

/// <summary>Idle IM sessions are ended by Parley with BYE.</summary>
public sealed class ImSessionIdleTests(ShortIdleSipNodeFixture fixture) : IClassFixture<ShortIdleSipNodeFixture>
{
    [Fact]
    public async Task An_idle_im_session_is_ended_with_bye_in_its_dialog()
    {
        var node = fixture.Node;
        var alice = await node.CreateUserAsync("alice");
        var bob = await node.CreateUserAsync("bob");
        await using var a = await SipTestClient.ConnectAsync(node, alice);
        var invite = a.CreateRequest(SipMethods.Invite, new SipUri("sip", bob.Local, ParleyTestNode.Domain), callId: Guid.NewGuid().ToString("N"));
        invite.ContentType = "application/sdp";
        invite.Body = Encoding.ASCII.GetBytes(ImSessionTests.Offer);
        var challenge = await a.SendAsync(invite.Clone());
        var authorized = a.Authorize(invite, challenge);
        var ok = await a.SendAsync(authorized);
        Assert.Equal(200, ok.StatusCode);
        await a.WriteAsync(a.AckFor(authorized, ok, NameAddress.Parse(ok.Headers[SipHeaderNames.Contact]!).Uri));

        var bye = await a.ReceiveRequestAsync(SipMethods.Bye);

        Assert.Equal(authorized.CallId, bye.CallId);
        Assert.Equal(authorized.From.Tag, bye.To.Tag);
        Assert.Equal(ok.To.Tag, bye.From.Tag);
    }
}
