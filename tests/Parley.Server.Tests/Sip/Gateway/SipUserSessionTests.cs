using System.Globalization;
using System.Text;
using Parley.Server.Diagnostics;
using Parley.Server.Tests.Sip.Support;
using Parley.Server.Tests.Xmpp.Support;
using Parley.Sip.Messages;
using Parley.Xmpp;
using Parley.Xmpp.Addressing;
using static Parley.Server.Tests.Xmpp.Support.XmppTestClient;

namespace Parley.Server.Tests.Sip.Gateway;

/// <summary>A registered SIP user is one session (resource "sip") of the presence engine.</summary>
public sealed class SipUserSessionTests(SipNodeFixture fixture) : IClassFixture<SipNodeFixture>
{
    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task Registering_makes_the_sip_user_available_to_xmpp_contacts_and_unregistering_unavailable()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await Node.MakeMutualContactsAsync(alice, bob);
        await using var b = await OnlineAsync(Node, bob);
        await using var a = await SipTestClient.ConnectAsync(Node, alice);
        var aliceSip = Jid.Parse($"{alice.Jid}/sip");

        await a.RegisterAsync(600);
        await b.ReceiveAsync(e => IsPresence(e, aliceSip, null), "alice's SIP presence");
        await a.RegisterAsync(600);
        await b.ExpectNoneAsync(e => IsPresenceFrom(e, aliceSip), "a presence for a mere registration refresh");

        await a.RegisterAsync(0);
        await b.ReceiveAsync(e => IsPresence(e, aliceSip, "unavailable"), "alice's SIP session ending");
    }

    [Fact]
    public async Task A_message_from_xmpp_reaches_every_registered_contact_over_its_own_flow()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var phone = await SipTestClient.ConnectAsync(Node, bob);
        await using var desk = await SipTestClient.ConnectAsync(Node, bob, "TCP");
        await using var laptop = await SipTestClient.ConnectAsync(Node, bob, "TLS");
        await phone.RegisterAsync(600);
        await desk.RegisterAsync(600);
        await laptop.RegisterAsync(600);
        await using var a = await OnlineAsync(Node, alice);

        await a.SendMessageAsync(bob.Jid, "to all your devices");

        // The TCP and TLS contacts are reached on the connections they registered over (their flows).
        foreach (var device in new[] { phone, desk, laptop })
        {
            var message = await device.ReceiveRequestAsync(SipMethods.Message);
            Assert.Equal(device.Contact, message.RequestUri);
            Assert.Equal("to all your devices", Encoding.UTF8.GetString(message.Body.Span));
        }
    }

    [Fact]
    public async Task Disabling_a_registered_user_removes_their_registrations_and_their_contacts_see_them_go()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await Node.MakeMutualContactsAsync(alice, bob);
        await using var b = await OnlineAsync(Node, bob);
        await using var a = await SipTestClient.ConnectAsync(Node, alice);
        await a.RegisterAsync(600);
        var aliceSip = Jid.Parse($"{alice.Jid}/sip");
        await b.ReceiveAsync(e => IsPresence(e, aliceSip, null), "alice's SIP presence");

        await Node.DisableUserAsync(alice);

        await b.ReceiveAsync(e => IsPresence(e, aliceSip, "unavailable"), "alice's SIP session ending");
        await using var restored = await SipTestClient.ConnectAsync(Node, alice);
        await Node.Store.Users.SetEnabledAsync(alice.Jid, true, Parley.Server.Tests.Support.TestStore.Actor, CancellationToken.None);
        Assert.Empty(SipTestClient.Bindings(await restored.QueryBindingsAsync()));
    }

    [Fact]
    public async Task An_iq_to_the_sip_session_is_answered_service_unavailable()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await Node.MakeMutualContactsAsync(alice, bob);
        await using var a = await SipTestClient.ConnectAsync(Node, alice);
        await a.RegisterAsync(600);
        await using var b = await OnlineAsync(Node, bob);

        var iq = Iq("get", $"{alice.Jid}/sip", "query", "jabber:iq:version", out _);
        var answer = await b.IqAsync(iq);

        Assert.Equal("error", answer.GetAttribute("type"));
        Assert.NotNull(answer.Child("error", XmppNamespaces.Client)?.Child("service-unavailable", XmppNamespaces.Stanzas));
    }

    [Fact]
    public async Task A_message_no_contact_answers_times_out_408_with_an_event_naming_the_destination()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var silent = await SipTestClient.ConnectAsync(Node, bob);
        await silent.RegisterAsync(600);
        silent.AnswerStatus = 0;
        await using var a = await OnlineAsync(Node, alice);

        await a.SendMessageAsync(bob.Jid, "anyone home?");

        var port = silent.LocalEndPoint.Port.ToString(CultureInfo.InvariantCulture);
        var raised = await Node.WaitForEventAsync(ParleyEvents.Sip.RequestTimeout.Id, since, e => e.Message.Contains($"127.0.0.1:{port}", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15), "the MESSAGE timing out");
        Assert.Contains("MESSAGE", raised.Message, StringComparison.Ordinal);
        await Node.WaitForEventAsync(ParleyEvents.Sip.MessageStoredOffline.Id, since, e => e.Message.Contains(bob.Jid.ToString(), StringComparison.Ordinal),
            TimeSpan.FromSeconds(5), "the message going offline");
    }
}

/// <summary>Registrations survive a restart of the node (persisted in SQLite).</summary>
public sealed class RegistrationRestartTests(SipNodeFixture fixture) : IClassFixture<SipNodeFixture>
{
    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task A_restart_keeps_unexpired_registrations_and_messages_still_reach_the_contact()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var b = await SipTestClient.ConnectAsync(Node, bob);
        Assert.Equal(200, (await b.RegisterAsync(600)).StatusCode);

        await Node.RestartAsync();

        var bindings = SipTestClient.Bindings(await b.QueryBindingsAsync());
        Assert.Equal([b.Contact], bindings.Select(binding => binding.Uri));
        await using var a = await OnlineAsync(Node, alice);
        await a.SendMessageAsync(bob.Jid, "after the restart");
        var message = await b.ReceiveRequestAsync(SipMethods.Message);
        Assert.Equal("after the restart", Encoding.UTF8.GetString(message.Body.Span));
    }
}
