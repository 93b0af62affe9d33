using System.Net;
using System.Net.Sockets;
using System.Text;
using Parley.Server.Diagnostics;
using Parley.Server.Tests.Sip.Support;
using Parley.Server.Tests.Xmpp.Support;
using Parley.Sip.Messages;
using static Parley.Server.Tests.Xmpp.Support.XmppTestClient;

namespace Parley.Server.Tests.Sip.Gateway;

/// <summary>
/// RFC 3261 §16.6: a request to a registered user goes to the registered Contact, not to wherever the REGISTER came
/// from; over TCP the registering connection is used while it is open (the only way to reach a client behind NAT).
/// </summary>
public sealed class RelayToContactTests(SipNodeFixture fixture) : IClassFixture<SipNodeFixture>
{
    /// <summary>The node notices a closed connection a moment after the client closes it; until then it would reuse it.</summary>
    private static readonly TimeSpan ConnectionCloseNoticed = TimeSpan.FromMilliseconds(300);

    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task Over_udp_a_message_goes_to_the_registered_contact_not_the_socket_that_registered_it()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var registrar = await SipTestClient.ConnectAsync(Node, bob);
        await using var phone = await SipTestClient.ConnectAsync(Node, bob);
        Assert.NotEqual(registrar.LocalEndPoint.Port, phone.LocalEndPoint.Port);
        Assert.Equal(200, (await registrar.RegisterAsync(600, phone.Contact)).StatusCode);
        await using var a = await OnlineAsync(Node, alice);

        await a.SendMessageAsync(bob.Jid, "to your phone");

        var message = await phone.ReceiveRequestAsync(SipMethods.Message);
        Assert.Equal(phone.Contact, message.RequestUri);
        Assert.Equal("to your phone", Encoding.UTF8.GetString(message.Body.Span));
        await registrar.AssertNoRequestAsync(SipMethods.Message);
    }

    [Fact]
    public async Task Over_tcp_the_registering_connection_is_used_while_open_then_the_contact()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var phone = SipTestClient.ListenTcp(Node, bob);
        var registrar = await SipTestClient.ConnectAsync(Node, bob, "TCP");
        Assert.Equal(200, (await registrar.RegisterAsync(600, phone.Contact)).StatusCode);
        await using var a = await OnlineAsync(Node, alice);

        // Behind NAT the Contact may be unreachable: the open connection is the flow to the client.
        await a.SendMessageAsync(bob.Jid, "over your connection");
        var first = await registrar.ReceiveRequestAsync(SipMethods.Message);
        Assert.Equal("over your connection", Encoding.UTF8.GetString(first.Body.Span));

        await registrar.DisposeAsync();
        await Task.Delay(ConnectionCloseNoticed);
        await a.SendMessageAsync(bob.Jid, "at your contact");

        var second = await phone.ReceiveRequestAsync(SipMethods.Message);
        Assert.Equal(phone.Contact, second.RequestUri);
        Assert.Equal("at your contact", Encoding.UTF8.GetString(second.Body.Span));
    }

    [Fact]
    public async Task A_registered_device_that_never_answers_does_not_hold_back_messages_to_the_one_in_use()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var off = await SipTestClient.ConnectAsync(Node, bob);
        off.AnswerStatus = 0; // registered, then switched off: every MESSAGE to it runs into timer F (32 s)
        await using var phone = await SipTestClient.ConnectAsync(Node, bob);
        await off.RegisterAsync(600);
        await phone.RegisterAsync(600);
        await using var a = await OnlineAsync(Node, alice);

        // More than a user's deliveries in flight at once (256): had each waited for the silent device, the rest would
        // start only when the first ones time out (timer F, 64 × T1).
        const int Count = 300;
        var timerF = SipNodeFixture.TestOptions.Timers.T1 * 64;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < Count; i++)
        {
            await a.SendMessageAsync(bob.Jid, $"message {i}");
        }

        var received = new HashSet<string>(StringComparer.Ordinal);
        while (received.Count < Count)
        {
            var message = await phone.ReceiveRequestAsync(SipMethods.Message);
            received.Add(Encoding.UTF8.GetString(message.Body.Span));
        }

        Assert.True(clock.Elapsed < timerF, $"all {Count} messages took {clock.Elapsed.TotalSeconds:0.0} s, not less than timer F ({timerF.TotalSeconds} s)");
    }

    [Fact]
    public async Task Over_tcp_an_unreachable_contact_after_the_connection_closed_sends_the_message_offline_with_events()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        var nobody = new SipUri("sip", bob.Local, "127.0.0.1", ClosedTcpPort());
        nobody.Parameters.Set("transport", "tcp");
        await using (var registrar = await SipTestClient.ConnectAsync(Node, bob, "TCP"))
        {
            Assert.Equal(200, (await registrar.RegisterAsync(600, nobody)).StatusCode);
        }

        await Task.Delay(ConnectionCloseNoticed);
        await using var a = await OnlineAsync(Node, alice);

        await a.SendMessageAsync(bob.Jid, "keep this for later");

        await Node.WaitForEventAsync(ParleyEvents.Sip.TransportError.Id, since, e => e.Message.Contains($"127.0.0.1:{nobody.Port}", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15), "the connection to the contact failing");
        await Node.WaitForEventAsync(ParleyEvents.Sip.MessageStoredOffline.Id, since, e => e.Message.Contains(bob.Jid.ToString(), StringComparison.Ordinal),
            TimeSpan.FromSeconds(5), "the message going offline");

        // One failure, one event, with its cause: the transport reports the refused connect; the relay, which only
        // sees the transaction's 503, does not report it again.
        var transportErrors = (await Node.Store.Events.QueryAsync(ParleyEvents.Sip.TransportError.Id, since, 100, CancellationToken.None))
            .Where(e => e.Message.Contains($"127.0.0.1:{nobody.Port}", StringComparison.Ordinal)).ToList();
        var only = Assert.Single(transportErrors);
        Assert.Contains("refused", only.Message, StringComparison.OrdinalIgnoreCase);
    }

    private static int ClosedTcpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port; // never listened on: connecting to it is refused
    }
}
