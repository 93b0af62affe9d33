using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Parley.Sip.Messages;
using Parley.Sip.Parsing;
using Parley.Sip.Transport;

namespace Parley.Sip.Tests.Transport;

public sealed class TcpTransportTests
{
    [Fact]
    public async Task A_request_split_at_every_byte_is_framed_and_answered_in_order()
    {
        await using var f = new TransportFixture();
        using var socket = await TransportFixture.ConnectAsync(f.Tcp);
        await using var stream = new NetworkStream(socket);
        var reader = PipeReader.Create(stream);
        var request = Bytes.Of(TransportFixture.Request("TCP", 0, method: "MESSAGE", body: "hello"));

        for (var split = 1; split < request.Length; split++)
        {
            var bytes = Bytes.Of(TransportFixture.Request("TCP", split, method: "MESSAGE", body: "hello"));
            var cut = Math.Min(split, bytes.Length - 1);
            await socket.SendAsync(bytes.AsMemory(0, cut), SocketFlags.None);
            await Task.Yield();
            await socket.SendAsync(bytes.AsMemory(cut), SocketFlags.None);

            var response = Assert.IsType<SipResponse>(await TransportFixture.ReadMessageAsync(reader));
            Assert.Equal(200, response.StatusCode);
            Assert.Equal($"call-{split}@test", response.CallId);
        }

        Assert.All(f.Handler.Received, r => Assert.Equal("hello", Encoding.UTF8.GetString(r.Message.Body.Span)));
        Assert.Equal(request.Length - 1, f.Handler.Received.Count);
    }

    [Fact]
    public async Task A_request_sent_one_byte_at_a_time_then_two_in_one_segment_are_all_answered()
    {
        await using var f = new TransportFixture();
        using var socket = await TransportFixture.ConnectAsync(f.Tcp);
        await using var stream = new NetworkStream(socket);
        var reader = PipeReader.Create(stream);

        foreach (var b in Bytes.Of(TransportFixture.Request("TCP", 1)))
        {
            await socket.SendAsync(new[] { b }, SocketFlags.None);
        }

        await socket.SendAsync(Bytes.Of(TransportFixture.Request("TCP", 2) + TransportFixture.Request("TCP", 3)), SocketFlags.None);

        Assert.Equal("call-1@test", (await TransportFixture.ReadMessageAsync(reader)).CallId);
        Assert.Equal("call-2@test", (await TransportFixture.ReadMessageAsync(reader)).CallId);
        Assert.Equal("call-3@test", (await TransportFixture.ReadMessageAsync(reader)).CallId);
    }

    [Fact]
    public async Task A_failing_handler_does_not_close_the_connection()
    {
        await using var f = new TransportFixture();
        f.Handler.FailFor = m => m.CallId == "call-1@test";
        using var socket = await TransportFixture.ConnectAsync(f.Tcp);
        await using var stream = new NetworkStream(socket);

        await socket.SendAsync(Bytes.Of(TransportFixture.Request("TCP", 1) + TransportFixture.Request("TCP", 2)), SocketFlags.None);

        Assert.Equal("call-2@test", (await TransportFixture.ReadMessageAsync(PipeReader.Create(stream))).CallId);
        Assert.Equal(1, f.Host.ConnectionCount);
    }

    [Fact]
    public async Task A_crlf_keep_alive_ping_gets_a_crlf_pong()
    {
        await using var f = new TransportFixture();
        using var socket = await TransportFixture.ConnectAsync(f.Tcp);

        await socket.SendAsync(Bytes.Of("\r\n\r\n"), SocketFlags.None);

        var buffer = new byte[16];
        using var cts = new CancellationTokenSource(TransportFixture.Patience);
        var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
        Assert.Equal("\r\n", Encoding.ASCII.GetString(buffer, 0, read));
        Assert.Equal(1, f.Host.Counters.KeepAlivesReceived);
        Assert.Equal(1, f.Host.ConnectionCount);
    }

    [Fact]
    public async Task A_request_to_a_client_reuses_the_connection_it_opened()
    {
        await using var f = new TransportFixture();
        using var socket = await TransportFixture.ConnectAsync(f.Tcp);
        await using var stream = new NetworkStream(socket);
        var reader = PipeReader.Create(stream);
        await socket.SendAsync(Bytes.Of(TransportFixture.Request("TCP", 1, method: "REGISTER")), SocketFlags.None);
        await TransportFixture.ReadMessageAsync(reader);
        var (_, source) = Assert.Single(f.Handler.Received);

        await f.Host.SendAsync(Outgoing("reused"), new SipDestination(SipTransportKind.Tcp, source.Remote), default);

        var request = Assert.IsType<SipRequest>(await TransportFixture.ReadMessageAsync(reader));
        Assert.Equal("reused", request.CallId);
        Assert.Equal(1, f.Host.ConnectionCount);
        Assert.Equal(0, f.Host.Counters.ConnectionsOpened);
        Assert.True(source.Connection!.IsOpen);
    }

    [Fact]
    public async Task Requests_to_another_node_open_one_connection_and_reuse_it()
    {
        await using var server = new TransportFixture();
        await using var client = new TransportFixture();
        var destination = new SipDestination(SipTransportKind.Tcp, server.Tcp);

        await Task.WhenAll(
            client.Host.SendAsync(Outgoing("a"), destination, default).AsTask(),
            client.Host.SendAsync(Outgoing("b"), destination, default).AsTask());
        await client.Host.SendAsync(Outgoing("c"), destination, default);

        await Eventually(() => server.Handler.Received.Count == 3);
        Assert.Equal(1, client.Host.Counters.ConnectionsOpened);
        Assert.Equal(1, server.Host.Counters.ConnectionsAccepted);

        // The server's 200s come back on that connection to the client's handler.
        await Eventually(() => client.Handler.Received.Count == 3);
        Assert.All(client.Handler.Received, r => Assert.Equal(200, ((SipResponse)r.Message).StatusCode));
    }

    [Fact]
    public async Task Connecting_to_a_closed_port_fails_with_a_transport_exception()
    {
        await using var f = new TransportFixture();
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var closed = (IPEndPoint)probe.LocalEndPoint!; // bound, not listening: connection refused

        await Assert.ThrowsAsync<SipTransportException>(() => f.Host.SendAsync(Outgoing("x"), new SipDestination(SipTransportKind.Tcp, closed), default).AsTask());
    }

    [Fact]
    public async Task A_half_sent_message_times_out_and_the_connection_is_closed()
    {
        await using var f = new TransportFixture(o =>
        {
            o.Limits.IncompleteMessageTimeout = TimeSpan.FromMilliseconds(300);
            o.Limits.HeartbeatInterval = TimeSpan.FromMilliseconds(50);
        });
        using var socket = await TransportFixture.ConnectAsync(f.Tcp);
        var request = TransportFixture.Request("TCP", 1);

        await socket.SendAsync(Bytes.Of(request[..(request.Length / 2)]), SocketFlags.None);

        Assert.True(await TransportFixture.ClosedByServerAsync(socket, TransportFixture.Patience));
        await Eventually(() => f.Observer.Closed.Contains(SipConnectionCloseReason.IncompleteMessage));
        Assert.Equal(1, f.Host.Counters.TimedOut);
        Assert.Empty(f.Handler.Received);
    }

    [Fact]
    public async Task A_silent_connection_is_closed_after_the_idle_timeout_but_keep_alives_hold_it_open()
    {
        await using var f = new TransportFixture(o =>
        {
            o.Limits.IdleTimeout = TimeSpan.FromSeconds(2);
            o.Limits.HeartbeatInterval = TimeSpan.FromMilliseconds(50);
        });
        using var pinging = await TransportFixture.ConnectAsync(f.Tcp);
        using var silent = await TransportFixture.ConnectAsync(f.Tcp);

        // Generous margins: the build machine is shared and heavily loaded.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        while (DateTime.UtcNow < until)
        {
            await pinging.SendAsync(Bytes.Of("\r\n\r\n"), SocketFlags.None);
            await Task.Delay(250);
        }

        Assert.True(await TransportFixture.ClosedByServerAsync(silent, TransportFixture.Patience));
        Assert.Equal(1, f.Host.ConnectionCount);
        Assert.Contains(SipConnectionCloseReason.Idle, f.Observer.Closed);
    }

    [Fact]
    public async Task An_oversized_request_is_answered_413_and_the_connection_closed()
    {
        await using var f = new TransportFixture(o => o.ParserLimits = new SipLimits { MaxMessageBytes = 4096 });
        using var socket = await TransportFixture.ConnectAsync(f.Tcp);
        await using var stream = new NetworkStream(socket);
        var reader = PipeReader.Create(stream);
        var body = new string('x', 100_000);

        await socket.SendAsync(Bytes.Of(TransportFixture.Request("TCP", 1, method: "MESSAGE", body: body)), SocketFlags.None);

        var response = Assert.IsType<SipResponse>(await TransportFixture.ReadMessageAsync(reader));
        Assert.Equal(413, response.StatusCode);
        Assert.Equal("call-1@test", response.CallId);
        Assert.True(await TransportFixture.ClosedByServerAsync(socket, TransportFixture.Patience));
        Assert.Equal(1, f.Host.Counters.Rejected(SipRejectionReason.BodyTooLarge));
        await Eventually(() => f.Observer.Closed.Contains(SipConnectionCloseReason.Malformed));
    }

    [Fact]
    public async Task An_unterminated_header_section_over_the_limit_closes_the_connection()
    {
        await using var f = new TransportFixture(o => o.ParserLimits = new SipLimits { MaxMessageBytes = 1024 });
        using var socket = await TransportFixture.ConnectAsync(f.Tcp);

        await socket.SendAsync(Bytes.Of("OPTIONS sip:x@y SIP/2.0\r\nSubject: " + new string('a', 4000)), SocketFlags.None);

        Assert.True(await TransportFixture.ClosedByServerAsync(socket, TransportFixture.Patience));
        Assert.Equal(1, f.Host.Counters.RejectedTotal);
    }

    [Fact]
    public async Task Queuing_more_than_the_pending_outbound_limit_disconnects_the_peer()
    {
        await using var f = new TransportFixture(o =>
        {
            o.Limits.MaxPendingOutboundBytes = 64 * 1024;
            o.Limits.WriteTimeout = TimeSpan.FromMilliseconds(500);
            o.Limits.HeartbeatInterval = TimeSpan.FromMilliseconds(50);
        });
        using var socket = await TransportFixture.ConnectAsync(f.Tcp);
        socket.ReceiveBufferSize = 4096;
        await socket.SendAsync(Bytes.Of(TransportFixture.Request("TCP", 1, method: "REGISTER")), SocketFlags.None);
        await Eventually(() => !f.Handler.Received.IsEmpty);
        var connection = f.Handler.Received.Single().Source.Connection!;
        var big = Outgoing("flood");
        big.Body = new byte[8192];

        var sends = Enumerable.Range(0, 2000).Select(_ => connection.SendAsync(big, default).AsTask()).ToArray();
        await Task.WhenAny(Task.WhenAll(sends), Task.Delay(TransportFixture.Patience));

        await Eventually(() => !connection.IsOpen);
        Assert.Equal(SipConnectionCloseReason.SlowReader, connection.CloseReason);
        Assert.Contains(sends, s => s.IsFaulted && s.Exception!.InnerException is SipTransportException);
        await Eventually(() => f.Host.Counters.SlowReaders == 1);
        await Assert.ThrowsAsync<SipTransportException>(() => connection.SendAsync(big, default).AsTask());
    }

    [Fact]
    public async Task An_outbound_connection_comes_from_the_address_the_host_listens_on()
    {
        // A node on 127.0.0.2 (as a routing node in front of a home node on the same machine): the other side sees
        // that address, not 127.0.0.1, which the routing table would pick for a loopback destination.
        var bound = IPAddress.Parse("127.0.0.2");
        await using var f = new TransportFixture(o => (o.Udp, o.Tcp) = (new IPEndPoint(bound, 0), new IPEndPoint(bound, 0)));
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepting = listener.AcceptSocketAsync();

        var sending = f.Host.SendAsync(Outgoing("from-bound"), new SipDestination(SipTransportKind.Tcp, (IPEndPoint)listener.LocalEndpoint), default).AsTask();
        using var accepted = await accepting.WaitAsync(TransportFixture.Patience);
        await sending.WaitAsync(TransportFixture.Patience);

        Assert.Equal(bound, ((IPEndPoint)accepted.RemoteEndPoint!).Address);
    }

    [Fact]
    public async Task A_peer_that_stops_reading_is_disconnected_when_a_write_stalls()
    {
        await using var f = new TransportFixture(o =>
        {
            o.Limits.WriteTimeout = TimeSpan.FromMilliseconds(500);
            o.Limits.HeartbeatInterval = TimeSpan.FromMilliseconds(50);
        });
        using var socket = await TransportFixture.ConnectAsync(f.Tcp);
        socket.ReceiveBufferSize = 4096;
        await socket.SendAsync(Bytes.Of(TransportFixture.Request("TCP", 1, method: "REGISTER")), SocketFlags.None);
        await Eventually(() => !f.Handler.Received.IsEmpty);
        var connection = f.Handler.Received.Single().Source.Connection!;
        var big = Outgoing("flood");
        big.Body = new byte[16384];

        var failure = await Record.ExceptionAsync(async () =>
        {
            using var cts = new CancellationTokenSource(TransportFixture.Patience);
            while (true)
            {
                await connection.SendAsync(big, cts.Token); // one at a time: only the stalled write can end this
            }
        });

        Assert.IsType<SipTransportException>(failure);
        Assert.Equal(SipConnectionCloseReason.SlowReader, connection.CloseReason);
    }

    [Fact]
    public async Task Connections_over_the_limit_are_refused_at_accept()
    {
        await using var f = new TransportFixture(o => o.Limits.MaxConnections = 1);
        using var first = await TransportFixture.ConnectAsync(f.Tcp);
        await Eventually(() => f.Host.ConnectionCount == 1);

        using var second = await TransportFixture.ConnectAsync(f.Tcp);

        Assert.True(await TransportFixture.ClosedByServerAsync(second, TransportFixture.Patience));
        Assert.Equal(1, f.Host.Counters.ConnectionsRefused);
        Assert.Equal(1, f.Host.ConnectionCount);
    }

    [Fact]
    public async Task Connections_from_one_address_over_its_limit_are_refused_and_its_slot_returns_on_close()
    {
        await using var f = new TransportFixture(o => o.Limits.MaxConnectionsPerAddress = 1);
        var first = await TransportFixture.ConnectAsync(f.Tcp);
        await Eventually(() => f.Host.ConnectionCount == 1);

        using (var second = await TransportFixture.ConnectAsync(f.Tcp))
        {
            Assert.True(await TransportFixture.ClosedByServerAsync(second, TransportFixture.Patience));
        }

        first.Dispose();
        await Eventually(() => f.Host.ConnectionCount == 0);
        using var third = await TransportFixture.ConnectAsync(f.Tcp);
        await third.SendAsync(Bytes.Of(TransportFixture.Request("TCP", 3)), SocketFlags.None);
        await using var stream = new NetworkStream(third);
        Assert.Equal("call-3@test", (await TransportFixture.ReadMessageAsync(PipeReader.Create(stream))).CallId);
        Assert.Equal(1, f.Host.Counters.ConnectionsRefused);
    }

    [Fact]
    public async Task A_response_whose_connection_closed_is_sent_on_a_new_connection_to_the_via_sent_by()
    {
        await using var f = new TransportFixture();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var viaPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        f.Handler.Answer = false;
        using (var socket = await TransportFixture.ConnectAsync(f.Tcp))
        {
            await socket.SendAsync(Bytes.Of(TransportFixture.Request("TCP", 1, viaPort: viaPort).Replace(";rport", string.Empty, StringComparison.Ordinal)), SocketFlags.None);
            await Eventually(() => !f.Handler.Received.IsEmpty);
        }

        await Eventually(() => f.Host.ConnectionCount == 0);
        var (message, source) = f.Handler.Received.Single();
        Assert.False(source.Connection!.IsOpen);
        await f.Host.SendResponseAsync(SipResponse.CreateFor((SipRequest)message, 200, toTag: "late"), source, default);

        using var cts = new CancellationTokenSource(TransportFixture.Patience);
        using var accepted = await listener.AcceptSocketAsync(cts.Token);
        await using var stream = new NetworkStream(accepted);
        var response = await TransportFixture.ReadMessageAsync(PipeReader.Create(stream));
        Assert.Equal(200, ((SipResponse)response).StatusCode);
    }

    internal static SipRequest Outgoing(string callId)
    {
        var request = SipRequest.Create(SipMethods.Message, SipUri.Parse("sip:client@127.0.0.1"));
        request.Headers.Add(SipHeaderNames.Via, "SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK-" + callId);
        request.Headers.Add(SipHeaderNames.MaxForwards, "70");
        request.Headers.Add(SipHeaderNames.From, "<sip:parley@example.com>;tag=p");
        request.Headers.Add(SipHeaderNames.To, "<sip:client@example.com>");
        request.Headers.Add(SipHeaderNames.CallId, callId);
        request.Headers.Add(SipHeaderNames.CSeq, "1 MESSAGE");
        return request;
    }

    internal static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TransportFixture.Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not become true in time.");
            await Task.Delay(20);
        }
    }
}
