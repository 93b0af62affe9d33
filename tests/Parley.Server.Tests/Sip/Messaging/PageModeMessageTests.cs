using System.Text;
using Parley.Server.Diagnostics;
using Parley.Server.Tests.Sip.Support;
using Parley.Server.Tests.Xmpp.Support;
using Parley.Sip.Messages;
using Parley.Xmpp;
using Parley.Xmpp.Addressing;
using static Parley.Server.Tests.Xmpp.Support.XmppTestClient;

namespace Parley.Server.Tests.Sip.Messaging;

/// <summary>Page-mode MESSAGE (RFC 3428) between SIP users and to and from XMPP users (RFC 7572).</summary>
public sealed class PageModeMessageTests(SipNodeFixture fixture) : IClassFixture<SipNodeFixture>
{
    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task A_message_between_two_sip_users_reaches_the_registered_udp_contact_and_is_answered_200()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var a = await SipTestClient.ConnectAsync(Node, alice);
        await using var b = await SipTestClient.ConnectAsync(Node, bob);
        Assert.Equal(200, (await b.RegisterAsync(600)).StatusCode);

        var response = await a.SendMessageAsync(bob, "hello over SIP");

        Assert.Equal(200, response.StatusCode);
        var message = await b.ReceiveRequestAsync(SipMethods.Message);
        Assert.Equal("hello over SIP", Encoding.UTF8.GetString(message.Body.Span));
        Assert.StartsWith("text/plain", message.ContentType, StringComparison.Ordinal);
        Assert.Equal(alice.Local, message.From.Uri.User);
        Assert.Equal(b.Contact, message.RequestUri);
    }

    [Fact]
    public async Task A_message_from_a_sip_user_reaches_an_xmpp_user_as_a_chat_message_from_the_sip_resource()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var a = await SipTestClient.ConnectAsync(Node, alice);
        await using var b = await OnlineAsync(Node, bob);

        var response = await a.SendMessageAsync(bob, "hi XMPP");

        Assert.Equal(200, response.StatusCode);
        var message = await b.ReceiveAsync(e => IsMessageFrom(e, Jid.Parse($"{alice.Jid}/sip")), "the message from the SIP user");
        Assert.Equal("chat", message.GetAttribute("type"));
        Assert.Equal("hi XMPP", message.ChildText("body", XmppNamespaces.Client));
    }

    [Fact]
    public async Task A_message_from_an_xmpp_user_reaches_the_registered_sip_user()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var b = await SipTestClient.ConnectAsync(Node, bob);
        await b.RegisterAsync(600);
        await using var a = await OnlineAsync(Node, alice);

        await a.SendMessageAsync(bob.Jid, "hi SIP");

        var message = await b.ReceiveRequestAsync(SipMethods.Message);
        Assert.Equal("hi SIP", Encoding.UTF8.GetString(message.Body.Span));
        Assert.Equal(new SipUri("sip", alice.Local, ParleyTestNode.Domain), message.From.Uri);
        await a.ExpectNoneAsync(e => e.Name == "message", "an error");
    }

    [Fact]
    public async Task Typing_notifications_map_between_iscomposing_and_xep0085_chat_states()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var a = await SipTestClient.ConnectAsync(Node, alice);
        await a.RegisterAsync(600);
        await using var b = await OnlineAsync(Node, bob);
        var composing = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\"><state>active</state><contenttype>text/plain</contenttype></isComposing>";

        Assert.Equal(200, (await a.SendMessageAsync(bob, composing, "application/im-iscomposing+xml")).StatusCode);
        var state = await b.ReceiveAsync(e => IsMessageFrom(e, Jid.Parse($"{alice.Jid}/sip")), "the chat state");
        Assert.NotNull(state.Child("composing", XmppNamespaces.ChatStates));
        Assert.Null(state.Child("body", XmppNamespaces.Client));

        await b.SendMessageAsync(alice.Jid, null, extra: new Parley.Xmpp.Xml.Element("paused", XmppNamespaces.ChatStates));
        var info = await a.ReceiveRequestAsync(SipMethods.Message);
        Assert.Equal("application/im-iscomposing+xml", info.ContentType);
        Assert.Contains("<state>idle</state>", Encoding.UTF8.GetString(info.Body.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_to_an_unknown_user_is_404_and_to_a_disabled_user_403()
    {
        var alice = await Node.CreateUserAsync("alice");
        var carol = await Node.CreateUserAsync("carol");
        await Node.DisableUserAsync(carol);
        await using var a = await SipTestClient.ConnectAsync(Node, alice);
        var nobody = new TestAccount(Jid.Parse($"nobody-{Guid.NewGuid():N}@{ParleyTestNode.Domain}"), "x");

        Assert.Equal(404, (await a.SendMessageAsync(nobody, "anyone?")).StatusCode);
        Assert.Equal(403, (await a.SendMessageAsync(carol, "are you there?")).StatusCode);
    }

    [Fact]
    public async Task Unsupported_content_types_are_refused_415_with_accept()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var a = await SipTestClient.ConnectAsync(Node, alice);

        var response = await a.SendMessageAsync(bob, "From: <im:alice@example.com>\r\n\r\nhi", "message/cpim");

        Assert.Equal(415, response.StatusCode);
        Assert.Contains("text/plain", response.Headers[SipHeaderNames.Accept], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_for_an_offline_user_is_accepted_202_and_delivered_when_they_register()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var a = await SipTestClient.ConnectAsync(Node, alice);

        Assert.Equal(202, (await a.SendMessageAsync(bob, "while you were out")).StatusCode);

        await using var b = await SipTestClient.ConnectAsync(Node, bob);
        await b.RegisterAsync(600);
        var message = await b.ReceiveRequestAsync(SipMethods.Message);
        Assert.Equal("while you were out", Encoding.UTF8.GetString(message.Body.Span));
    }

    [Fact]
    public async Task A_message_no_registered_contact_accepts_is_stored_offline_and_delivered_at_the_next_registration()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var a = await OnlineAsync(Node, alice);
        await using (var dead = await SipTestClient.ConnectAsync(Node, bob))
        {
            await dead.RegisterAsync(600);
            dead.AnswerStatus = 480;
            await a.SendMessageAsync(bob.Jid, "nobody answers");
            await dead.ReceiveRequestAsync(SipMethods.Message);
            await Node.WaitForEventAsync(ParleyEvents.Sip.MessageStoredOffline.Id, since, e => e.Message.Contains(bob.Jid.ToString(), StringComparison.Ordinal),
                TimeSpan.FromSeconds(5), "the message going offline");
            await dead.RegisterAsync(0);
        }

        await using var b = await SipTestClient.ConnectAsync(Node, bob);
        await b.RegisterAsync(600);
        var message = await b.ReceiveRequestAsync(SipMethods.Message);
        Assert.Equal("nobody answers", Encoding.UTF8.GetString(message.Body.Span));
    }
}
