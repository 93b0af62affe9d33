using System.Net;
using System.Net.Sockets;
using System.Text;
using Parley.Sip.Messages;
using Parley.Sip.Parsing;
using Parley.Sip.Transport;

namespace Parley.Sip.Tests.Transport;

public sealed class UdpTransportTests : IAsyncLifetime
{
    private readonly TransportFixture _f = new();
    private readonly UdpClient _client = new(new IPEndPoint(IPAddress.Loopback, 0));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _f.DisposeAsync();
    }

    [Fact]
    public async Task Request_is_stamped_with_received_and_rport_and_answered_at_the_real_source_port()
    {
        // The Via claims port 5099; the datagram really comes from the client's ephemeral port (a NAT, RFC 3581).
        await _client.SendAsync(Bytes.Of(TransportFixture.Request("UDP", 1)), _f.Udp);

        var reply = await ReceiveAsync();

        var response = Assert.IsType<SipResponse>(new SipMessageParser(new SipLimits()).ParseDatagram(reply.Buffer));
        Assert.Equal(200, response.StatusCode);
        var via = response.TopVia;
        Assert.Equal(((IPEndPoint)_client.Client.LocalEndPoint!).Port, via.RPort);
        Assert.Equal("127.0.0.1", via.Received);
        var (message, source) = Assert.Single(_f.Handler.Received);
        Assert.Equal(SipTransportKind.Udp, source.Transport);
        Assert.Null(source.Connection);
        Assert.Equal(via.RPort, ((SipRequest)message).TopVia.RPort);
        Assert.Equal(1, _f.Host.Counters.MessagesReceived);
    }

    [Fact]
    public async Task Request_without_rport_is_answered_at_the_via_port()
    {
        using var listener = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var viaPort = ((IPEndPoint)listener.Client.LocalEndPoint!).Port;
        var request = TransportFixture.Request("UDP", 2, viaPort: viaPort).Replace(";rport", string.Empty, StringComparison.Ordinal);

        await _client.SendAsync(Bytes.Of(request), _f.Udp);

        using var cts = new CancellationTokenSource(TransportFixture.Patience);
        var reply = await listener.ReceiveAsync(cts.Token);
        Assert.StartsWith("SIP/2.0 200", Encoding.UTF8.GetString(reply.Buffer), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_request_with_enough_headers_is_answered_400_at_its_source()
    {
        var bad = TransportFixture.Request("UDP", 3).Replace("CSeq: 4 OPTIONS", "CSeq: 4 INVITE", StringComparison.Ordinal);

        await _client.SendAsync(Bytes.Of(bad), _f.Udp);

        var reply = await ReceiveAsync();
        Assert.StartsWith("SIP/2.0 400", Encoding.UTF8.GetString(reply.Buffer), StringComparison.Ordinal);
        Assert.Empty(_f.Handler.Received);
        Assert.Single(_f.Handler.Malformed);
        Assert.Equal(1, _f.Host.Counters.Rejected(SipRejectionReason.CSeqMethodMismatch));
    }

    [Fact]
    public async Task Garbage_is_dropped_and_counted_and_keep_alives_are_ignored()
    {
        await _client.SendAsync(Bytes.Of("\x16\x03\x01 not sip at all\r\n\r\n"), _f.Udp);
        await _client.SendAsync(Bytes.Of("\r\n\r\n"), _f.Udp);
        await _client.SendAsync(Bytes.Of(TransportFixture.Request("UDP", 4)), _f.Udp);

        var reply = await ReceiveAsync();

        Assert.StartsWith("SIP/2.0 200", Encoding.UTF8.GetString(reply.Buffer), StringComparison.Ordinal);
        await TcpTransportTests.Eventually(() => _f.Host.Counters.UdpUnanswerable == 1 && _f.Host.Counters.KeepAlivesReceived == 1); // workers run in parallel
        Assert.Equal(1, _f.Host.Counters.RejectedTotal);
    }

    [Fact]
    public async Task Oversized_datagram_is_dropped_and_counted_and_the_source_is_still_served()
    {
        await using var small = new TransportFixture(o => o.ParserLimits = new SipLimits { MaxMessageBytes = 1024 });
        var oversized = TransportFixture.Request("UDP", 5, method: "MESSAGE", body: new string('x', 2000));

        await _client.SendAsync(Bytes.Of(oversized), small.Udp);
        await _client.SendAsync(Bytes.Of(TransportFixture.Request("UDP", 6)), small.Udp);

        var reply = await ReceiveAsync();
        Assert.StartsWith("SIP/2.0 200", Encoding.UTF8.GetString(reply.Buffer), StringComparison.Ordinal);
        await TcpTransportTests.Eventually(() => small.Host.Counters.UdpUnanswerable == 1);
        Assert.Equal(1, small.Host.Counters.Rejected(SipRejectionReason.MessageTooLarge));
        Assert.Equal(1, small.Host.Counters.UdpUnanswerable);
    }

    [Fact]
    public async Task Host_sends_requests_from_its_listening_port()
    {
        var request = SipRequest.Create(SipMethods.Options, SipUri.Parse("sip:client@127.0.0.1"));
        request.Headers.Add(SipHeaderNames.Via, "SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-out");
        request.Headers.Add(SipHeaderNames.From, "<sip:parley@example.com>;tag=p");
        request.Headers.Add(SipHeaderNames.To, "<sip:client@example.com>");
        request.Headers.Add(SipHeaderNames.CallId, "out@test");
        request.Headers.Add(SipHeaderNames.CSeq, "1 OPTIONS");

        await _f.Host.SendAsync(request, new SipDestination(SipTransportKind.Udp, (IPEndPoint)_client.Client.LocalEndPoint!), default);

        var received = await ReceiveAsync();
        Assert.Equal(_f.Udp.Port, received.RemoteEndPoint.Port);
    }

    [Fact]
    public async Task Several_receive_threads_share_the_socket_and_every_datagram_is_handled_once()
    {
        await using var f = new TransportFixture(options => options.Limits.UdpReceivers = 3);
        const int count = 300;
        _client.Client.ReceiveBufferSize = 4 * 1024 * 1024; // the answers come back faster than this test reads them
        for (var i = 1; i <= count; i++)
        {
            await _client.SendAsync(Bytes.Of(TransportFixture.Request("UDP", i)), f.Udp);
        }

        var answered = new HashSet<string>();
        while (answered.Count < count)
        {
            UdpReceiveResult reply;
            try
            {
                reply = await ReceiveAsync();
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"{answered.Count} of {count} answered; handler saw {f.Handler.Received.Count}, counters {f.Host.Counters.MessagesReceived}, rate-limited {f.Host.Counters.UdpRateLimited}");
                throw;
            }

            var response = Assert.IsType<SipResponse>(new SipMessageParser(new SipLimits()).ParseDatagram(reply.Buffer));
            Assert.True(answered.Add(response.CallId), $"answered twice: {response.CallId}");
        }

        Assert.Equal(count, f.Handler.Received.Count);
        Assert.Equal(count, f.Host.Counters.MessagesReceived);
    }

    private async Task<UdpReceiveResult> ReceiveAsync()
    {
        using var cts = new CancellationTokenSource(TransportFixture.Patience);
        return await _client.ReceiveAsync(cts.Token);
    }
}
