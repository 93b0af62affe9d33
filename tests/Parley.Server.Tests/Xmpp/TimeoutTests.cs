using System.Net.Sockets;
using System.Text;
using Parley.Server.Tests.Xmpp.Support;
using Parley.Server.Xmpp;
using Parley.Xmpp;

namespace Parley.Server.Tests.Xmpp;

/// <summary>A node with short deadlines, so every timeout is seen within a few seconds.</summary>
public sealed class ShortTimeoutsNodeFixture : ParleyNodeFixture
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);

    protected override XmppServerOptions Xmpp => new()
    {
        HandshakeTimeout = Deadline,
        StanzaCompletionTimeout = Deadline,
        WriteTimeout = Deadline,
        ResumptionTimeout = Deadline,
        MaxQueuedStanzas = 1_000_000,
    };
}

/// <summary>Every deadline of the client service (slowloris, half-sent stanzas, clients that stop reading, resumption).</summary>
public sealed class TimeoutTests(ShortTimeoutsNodeFixture fixture) : IClassFixture<ShortTimeoutsNodeFixture>
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(6);

    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task A_connection_that_never_authenticates_is_closed_with_connection_timeout()
    {
        await using var client = await XmppTestClient.ConnectAsync(Node);
        await client.OpenStreamAsync();

        var error = await client.ReceiveAsync(e => e.Is("error", XmppNamespaces.Streams), "the handshake timeout", Grace);

        Assert.NotNull(error.Child("connection-timeout", XmppNamespaces.StreamErrors));
    }

    [Fact]
    public async Task A_client_sending_one_byte_a_second_before_login_is_cut_at_the_handshake_deadline()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(System.Net.IPAddress.Loopback, Node.Port);
        var stream = tcp.GetStream();
        var header = Encoding.UTF8.GetBytes("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'>");
        var started = DateTime.UtcNow;
        var closed = false;
        foreach (var b in header)
        {
            try
            {
                await stream.WriteAsync(new[] { b });
            }
            catch (IOException)
            {
                closed = true;
                break;
            }

            if (tcp.Client.Poll(0, SelectMode.SelectRead) && tcp.Client.Available == 0)
            {
                closed = true;
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
            if (DateTime.UtcNow - started > Grace)
            {
                break;
            }
        }

        Assert.True(closed, "The server kept a connection that trickles one byte a second past its handshake deadline.");
    }

    [Fact]
    public async Task A_half_sent_stanza_after_login_is_closed_with_connection_timeout()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var client = await XmppTestClient.LoginAsync(Node, alice, "desk");

        await client.SendAsync("<message to='nobody@example.com' type='chat'><body>never fin");

        var error = await client.ReceiveAsync(e => e.Is("error", XmppNamespaces.Streams), "the stanza completion timeout", Grace);
        Assert.NotNull(error.Child("connection-timeout", XmppNamespaces.StreamErrors));
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_disconnected_and_an_event_names_it()
    {
        var alice = await Node.CreateUserAsync("alice");
        var since = DateTimeOffset.UtcNow;
        await using var client = await XmppTestClient.LoginAsync(Node, alice, "stuck");
        client.StopReading();

        // Ask for far more answers than the socket buffers hold, then never read them.
        var pings = new StringBuilder();
        for (var i = 0; i < 2000; i++)
        {
            pings.Append("<iq type='get' id='p").Append(i).Append("'><ping xmlns='urn:xmpp:ping'/></iq>");
        }

        var batch = pings.ToString();
        using var sending = new CancellationTokenSource(Grace);
        try
        {
            for (var i = 0; i < 100 && !sending.IsCancellationRequested; i++)
            {
                await client.SendAsync(batch).WaitAsync(sending.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or TimeoutException)
        {
            // Our own writes may block or fail once the server stops reading us: expected.
        }

        var stalled = await Node.WaitForEventAsync(3204, since, e => e.Message.Contains("stopped reading", StringComparison.Ordinal), Grace * 2, "the stuck-client event");
        Assert.Contains("stopped reading", stalled.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_session_not_resumed_in_time_ends_and_its_unacknowledged_messages_go_offline()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var bobClient = await XmppTestClient.OnlineAsync(Node, bob, "desk");
        var aliceClient = await XmppTestClient.OnlineAsync(Node, alice, "phone");
        await aliceClient.EnableStreamManagementAsync(resume: true);

        aliceClient.StopReading();
        await bobClient.SendMessageAsync(alice.Jid, "kept for later");
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        await aliceClient.DisposeAsync(); // Cut without closing the stream; never resumed.

        await Task.Delay(ShortTimeoutsNodeFixture.Deadline + TimeSpan.FromSeconds(2));
        await using var again = await XmppTestClient.OnlineAsync(Node, alice, "laptop");

        var message = await again.ReceiveAsync(e => XmppTestClient.IsMessageFrom(e, bobClient.FullJid), "the message the cut session never acknowledged");
        Assert.Equal("kept for later", message.ChildText("body", XmppNamespaces.Client));
        Assert.NotNull(message.Child("delay", XmppNamespaces.Delay));
    }
}
