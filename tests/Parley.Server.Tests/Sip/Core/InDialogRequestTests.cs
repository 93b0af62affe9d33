using System.Text;
using Parley.Server.Diagnostics;
using Parley.Server.Tests.Sip.Messaging;
using Parley.Server.Tests.Sip.Presence;
using Parley.Server.Tests.Sip.Support;
using Parley.Server.Tests.Xmpp.Support;
using Parley.Sip.Messages;
using Parley.Xmpp;
using Parley.Xmpp.Addressing;
using static Parley.Server.Tests.Xmpp.Support.XmppTestClient;

namespace Parley.Server.Tests.Sip.Core;

/// <summary>
/// Requests inside a dialog Parley holds are not challenged (sipp signs every digest over one fixed URI and cannot
/// answer them; Kamailio does not challenge them either): they count as the user who opened the dialog. Requests here
/// go out with <see cref="SipTestClient.SendAsync"/>, which never answers a challenge, so a 407 fails the test.
/// </summary>
public sealed class InDialogRequestTests(SipNodeFixture fixture) : IClassFixture<SipNodeFixture>
{
    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task In_dialog_message_info_and_bye_are_served_without_credentials()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var a = await SipTestClient.ConnectAsync(Node, alice);
        await using var b = await OnlineAsync(Node, bob);
        var (invite, ok) = await OpenImSessionAsync(a, bob);

        var text = a.CreateInDialogRequest(SipMethods.Message, invite, ok);
        text.ContentType = "text/plain";
        text.Body = "no challenge in a dialog"u8.ToArray();
        Assert.Equal(200, (await a.SendAsync(text)).StatusCode);
        var received = await b.ReceiveAsync(e => IsMessageFrom(e, Jid.Parse($"{alice.Jid}/sip")), "the in-dialog message");
        Assert.Equal("no challenge in a dialog", received.ChildText("body", XmppNamespaces.Client));

        var typing = a.CreateInDialogRequest(SipMethods.Info, invite, ok);
        typing.ContentType = "application/im-iscomposing+xml";
        typing.Body = "<isComposing xmlns='urn:ietf:params:xml:ns:im-iscomposing'><state>active</state></isComposing>"u8.ToArray();
        Assert.Equal(200, (await a.SendAsync(typing)).StatusCode);

        Assert.Equal(200, (await a.SendAsync(a.CreateInDialogRequest(SipMethods.Bye, invite, ok))).StatusCode);
        // The dialog is gone now: the same tags are answered 481, still without a challenge.
        Assert.Equal(481, (await a.SendAsync(a.CreateInDialogRequest(SipMethods.Bye, invite, ok))).StatusCode);
    }

    [Fact]
    public async Task An_unsubscribe_in_the_dialog_is_served_without_credentials()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await Node.MakeMutualContactsAsync(alice, bob);
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);
        var dialog = PresenceDialog.For(phone, bob);
        Assert.Equal(200, (await dialog.SubscribeAsync(600)).StatusCode);
        await dialog.NextNotifyAsync();

        var unsubscribe = phone.CreateRequest(SipMethods.Subscribe, dialog.RemoteTarget!, dialog.PresentityUri, dialog.CallId);
        unsubscribe.To = new NameAddress(dialog.PresentityUri) { Tag = dialog.RemoteTag };
        unsubscribe.Headers.Set(SipHeaderNames.Event, "presence");
        unsubscribe.Headers.Set(SipHeaderNames.Expires, "0");
        var response = await phone.SendAsync(unsubscribe);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("terminated", (await dialog.NextNotifyAsync()).State);
    }

    [Fact]
    public async Task A_forged_to_tag_is_answered_481_without_a_challenge()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var a = await SipTestClient.ConnectAsync(Node, alice);
        var (invite, ok) = await OpenImSessionAsync(a, bob);

        foreach (var method in new[] { SipMethods.Message, SipMethods.Info, SipMethods.Bye, SipMethods.Subscribe, SipMethods.Invite })
        {
            var forged = a.CreateInDialogRequest(method, invite, ok);
            forged.To = new NameAddress(forged.To.Uri) { Tag = "forged-" + Guid.NewGuid().ToString("N")[..8] };
            var response = await a.SendAsync(forged);

            Assert.Equal(481, response.StatusCode);
            Assert.False(response.Headers.Contains(SipHeaderNames.ProxyAuthenticate), $"{method} with a forged To tag was challenged.");
        }

        // A known Call-ID and To tag with someone else's From tag is another dialog too.
        var wrongFromTag = a.CreateInDialogRequest(SipMethods.Message, invite, ok);
        wrongFromTag.From = new NameAddress(wrongFromTag.From.Uri) { Tag = "not-the-callers-tag" };
        Assert.Equal(481, (await a.SendAsync(wrongFromTag)).StatusCode);
    }

    [Fact]
    public async Task A_request_in_someone_elses_dialog_is_forbidden_and_raises_an_event()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        var mallory = await Node.CreateUserAsync("mallory");
        await using var a = await SipTestClient.ConnectAsync(Node, alice);
        await using var m = await SipTestClient.ConnectAsync(Node, mallory);
        await using var b = await OnlineAsync(Node, bob);
        var (invite, ok) = await OpenImSessionAsync(a, bob);

        // Mallory learnt the Call-ID and both tags and sends as herself: same dialog identifiers, her From URI.
        var hijack = a.CreateInDialogRequest(SipMethods.Message, invite, ok);
        hijack.From = new NameAddress(m.Aor) { Tag = invite.From.Tag };
        hijack.ContentType = "text/plain";
        hijack.Body = "not alice"u8.ToArray();
        var response = await m.SendAsync(hijack);

        Assert.Equal(403, response.StatusCode);
        await Node.WaitForEventAsync(ParleyEvents.Sip.IdentityMismatch.Id, since, e => e.Message.Contains(mallory.Jid.ToString(), StringComparison.Ordinal),
            TimeSpan.FromSeconds(5), "the dialog owner mismatch");
        await b.ExpectNoneAsync(e => e.Name == "message", "the hijacked message");
    }

    [Fact]
    public async Task A_disabled_users_dialog_takes_no_more_requests()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var a = await SipTestClient.ConnectAsync(Node, alice);
        var (invite, ok) = await OpenImSessionAsync(a, bob);

        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        await Node.DisableUserAsync(alice);
        // The node caches directory lookups per configuration revision: wait until it has applied this one.
        await Node.WaitForEventAsync(ParleyEvents.Lifecycle.ConfigurationRevisionApplied.Id, since,
            e => e.Node == ParleyTestNode.Fqdn && e.Message.Contains($"{alice.Jid} disabled", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the node applying the disable");
        var text = a.CreateInDialogRequest(SipMethods.Message, invite, ok);
        text.ContentType = "text/plain";
        text.Body = "after being disabled"u8.ToArray();

        Assert.Equal(403, (await a.SendAsync(text)).StatusCode);
    }

    [Fact]
    public async Task A_to_tagged_register_is_still_challenged()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);
        var register = phone.CreateRequest(SipMethods.Register, new SipUri("sip", null, ParleyTestNode.Domain), phone.Aor);
        register.To = new NameAddress(phone.Aor) { Tag = "left-over-tag" };

        var response = await phone.SendAsync(register);

        Assert.Equal(401, response.StatusCode);
        Assert.Equal(200, (await phone.SendAsync(phone.Authorize(register, response))).StatusCode);
    }

    /// <summary>An authenticated INVITE for an IM session with <paramref name="peer"/>, acknowledged: the request and its 200.</summary>
    private static async Task<(SipRequest Invite, SipResponse Ok)> OpenImSessionAsync(SipTestClient client, TestAccount peer)
    {
        var invite = client.CreateRequest(SipMethods.Invite, new SipUri("sip", peer.Local, ParleyTestNode.Domain), callId: Guid.NewGuid().ToString("N"));
        invite.ContentType = "application/sdp";
        invite.Body = Encoding.ASCII.GetBytes(ImSessionTests.Offer);
        var challenge = await client.SendAsync(invite.Clone());
        Assert.Equal(407, challenge.StatusCode);
        var authorized = client.Authorize(invite, challenge);
        var ok = await client.SendAsync(authorized);
        Assert.Equal(200, ok.StatusCode);
        await client.WriteAsync(client.AckFor(authorized, ok, NameAddress.Parse(ok.Headers[SipHeaderNames.Contact]!).Uri));
        return (authorized, ok);
    }
}
