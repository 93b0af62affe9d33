using System.Net;
using System.Net.Sockets;
using System.Text;
using Parley.Server.Diagnostics;
using Parley.Server.Sip;
using Parley.Server.Tests.Xmpp.Support;

namespace Parley.Server.Tests.Sip.Core;

/// <summary>
/// More requests at once than the node handles are refused 503 with Retry-After, never queued without bound; requests
/// inside dialogs keep a reserve above the limit, so work already admitted still completes.
/// </summary>
public sealed class OverloadTests
{
    [Fact]
    public async Task A_burst_beyond_the_concurrency_limit_gets_503_with_retry_after_and_one_event()
    {
        await using var node = new ParleyTestNode(sip: new SipServerOptions { Port = 0, TlsPort = 0, MaxConcurrentRequests = 1 });
        await node.StartAsync();
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.ReceiveBufferSize = 4 * 1024 * 1024; // answers arrive faster than a default buffer may hold
        udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var local = (IPEndPoint)udp.LocalEndPoint!;
        var server = new IPEndPoint(IPAddress.Loopback, node.SipPort);
        const int burst = 150;
        var answers = new Dictionary<int, int>();
        var inDialogAnswers = new Dictionary<int, int>();
        var overloadAnswer = string.Empty;
        var receiving = Task.Run(async () =>
        {
            var buffer = new byte[65536];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (answers.Values.Sum() + inDialogAnswers.Values.Sum() < 2 * burst)
            {
                var received = await udp.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                var text = Encoding.ASCII.GetString(buffer, 0, received);
                var status = int.Parse(text.AsSpan(8, 3), System.Globalization.CultureInfo.InvariantCulture);
                var counts = text.Contains("CSeq: 2 NOTIFY", StringComparison.Ordinal) ? inDialogAnswers : answers;
                counts[status] = counts.GetValueOrDefault(status) + 1;
                if (status == 503)
                {
                    overloadAnswer = text;
                }
            }
        });

        // SUBSCRIBE, because its handler writes to the store and so runs on the thread pool: the requests stay in
        // progress while the burst arrives (one answered on the receiving thread, like OPTIONS, never would). From
        // another domain, so no challenge comes first.
        for (var i = 0; i < burst; i++)
        {
            var subscribe = $"SUBSCRIBE sip:alice@{ParleyTestNode.Domain} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK-burst-{i}\r\n" +
                            $"Max-Forwards: 70\r\nFrom: <sip:probe@elsewhere.example>;tag=p{i}\r\nTo: <sip:alice@{ParleyTestNode.Domain}>\r\n" +
                            $"Call-ID: burst-{i}\r\nCSeq: 1 SUBSCRIBE\r\nContact: <sip:probe@{local}>\r\nEvent: presence\r\nExpires: 60\r\nContent-Length: 0\r\n\r\n";
            udp.SendTo(Encoding.ASCII.GetBytes(subscribe), server);

            // A request inside a dialog (To tag; this one matches no dialog, so 481) while the SUBSCRIBEs fill the limit.
            var notify = $"NOTIFY sip:alice@{ParleyTestNode.Domain} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK-dialog-{i}\r\n" +
                         $"Max-Forwards: 70\r\nFrom: <sip:probe@elsewhere.example>;tag=n{i}\r\nTo: <sip:alice@{ParleyTestNode.Domain}>;tag=x{i}\r\n" +
                         $"Call-ID: dialog-{i}\r\nCSeq: 2 NOTIFY\r\nEvent: presence\r\nSubscription-State: active\r\nContent-Length: 0\r\n\r\n";
            udp.SendTo(Encoding.ASCII.GetBytes(notify), server);
        }

        await receiving;
        Assert.True(answers.GetValueOrDefault(503) > 0, $"no 503 in a burst of {burst} with a limit of 1: {string.Join(", ", answers)}");
        Assert.True(answers.Keys.Any(status => status != 503), $"every request was refused: {string.Join(", ", answers)}");
        Assert.Contains("Retry-After: 1", overloadAnswer, StringComparison.Ordinal);
        Assert.Equal(burst, inDialogAnswers.GetValueOrDefault(481)); // none refused 503: the reserve took them
        await node.WaitForEventAsync(ParleyEvents.Sip.Overloaded.Id, since, _ => true, TimeSpan.FromSeconds(5), "the overload event");
    }
}
