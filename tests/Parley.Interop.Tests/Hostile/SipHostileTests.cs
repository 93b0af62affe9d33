using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Parley.Interop.Tests.Harness;
using Parley.Interop.Tests.Sip;

namespace Parley.Interop.Tests.Hostile;

/// <summary>
/// Parley with SIP, attacked over its real sockets. After each attack a bystander's OPTIONS over
/// TCP and over UDP must still be answered, the process must be alive, and its memory bounded.
/// </summary>
public sealed class SipHostileFixture : ParleySipFixture
{
    /// <summary>How much the server's RSS may grow over the whole class, each reading taken after a full collection.</summary>
    public const long RssBudgetBytes = 128L * 1024 * 1024;

    public long BaselineRssBytes { get; private set; }

    /// <summary>How much the RSS had grown at the last check (for the tests' output).</summary>
    public long LastRssGrowthBytes { get; private set; }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await AssertAnsweringAsync();
        await Server.CollectGarbageAsync();
        BaselineRssBytes = Server.ReadRssBytes();
    }

    protected override ParleyProcess NewServer() => new() { EnableSip = true, EnableAdmin = true };

    /// <summary>The server is alive, answers a bystander over TCP and UDP, and its memory is within budget.</summary>
    public async Task AssertUnaffectedAsync()
    {
        Assert.True(Server.IsRunning, $"the server died. Output:\n{Server.Output}");
        await AssertAnsweringAsync();

        // Measured after a full, aggressive collection (as the baseline was): what the attack left behind, not the
        // garbage of its last seconds, which the collector frees at a time of its choosing.
        await Server.CollectGarbageAsync();
        var rss = Server.ReadRssBytes();
        LastRssGrowthBytes = rss - BaselineRssBytes;
        Assert.True(
            rss - BaselineRssBytes < RssBudgetBytes,
            $"server RSS grew from {BaselineRssBytes / 1048576} MB to {rss / 1048576} MB (budget {RssBudgetBytes / 1048576} MB)");
    }

    private async Task AssertAnsweringAsync()
    {
        var (tcpStatus, _) = await SipRawClient.OptionsOverTcpAsync(SipPort, TimeSpan.FromSeconds(10));
        Assert.True(tcpStatus >= 200, $"no final response to a bystander's OPTIONS over TCP (got {tcpStatus}).\n{Diagnostics()}");
        var udpStatus = await SipRawClient.OptionsOverUdpAsync(SipPort, TimeSpan.FromSeconds(10));
        Assert.True(udpStatus >= 200, $"no final response to a bystander's OPTIONS over UDP (got {udpStatus}).\n{Diagnostics()}");
    }
}

public sealed class SipHostileTests(SipHostileFixture fixture, ITestOutputHelper output) : IClassFixture<SipHostileFixture>
{
    private const string SipsakProgram = "/usr/bin/sipsak";

    /// <summary>SipLimits.MaxMessageBytes default.</summary>
    private const int MaxMessageBytes = 65536;

    /// <summary>SipTransportLimits.IncompleteMessageTimeout default (10 s) plus heartbeat and scheduling slack.</summary>
    private static readonly TimeSpan IncompleteMessageBound = TimeSpan.FromSeconds(10 + 8);

    [Fact]
    public async Task Oversized_message_over_tcp_gets_413_and_the_server_keeps_answering()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(SipRawClient.Host, fixture.SipPort);
        var stream = client.GetStream();
        var body = new string('x', MaxMessageBytes + 4096);
        var request = SipRawClient.Options("TCP", (IPEndPoint)client.Client.LocalEndPoint!, fixture.SipPort, "Content-Type: text/plain\r\n", body);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var write = Task.Run(async () =>
        {
            try
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(request), cts.Token);
            }
            catch (IOException)
            {
                // the server may answer and close before it has read everything
            }
        });
        var response = await SipRawClient.ReadResponseHeadAsync(stream, cts.Token);
        output.WriteLine(response);
        Assert.True(SipRawClient.StatusOf(response) == 413, $"expected 413 Request Entity Too Large for a {request.Length}-byte message, got:\n{response}\n{fixture.Diagnostics()}");
        await write;
        await fixture.AssertUnaffectedAsync();
    }

    [Fact]
    public async Task Half_sent_tcp_message_trickled_byte_by_byte_is_closed_within_the_bound()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(SipRawClient.Host, fixture.SipPort);
        var stream = client.GetStream();
        var partial = SipRawClient.Options("TCP", (IPEndPoint)client.Client.LocalEndPoint!, fixture.SipPort);
        partial = partial[..(partial.Length - 30)]; // headers never end
        await stream.WriteAsync(Encoding.ASCII.GetBytes(partial[..40]));
        var stopwatch = Stopwatch.StartNew();
        var closed = false;
        var reader = Task.Run(async () =>
        {
            var buffer = new byte[4096];
            try
            {
                while (await stream.ReadAsync(buffer) > 0)
                {
                    // a 408/400 before closing is fine
                }
            }
            catch (IOException)
            {
            }

            closed = true;
        });

        // One more byte every 500 ms: the connection is never idle, but its message never completes.
        for (var i = 40; i < partial.Length && !closed && stopwatch.Elapsed < IncompleteMessageBound + TimeSpan.FromSeconds(5); i++)
        {
            try
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(partial[i..(i + 1)]));
            }
            catch (IOException)
            {
                break;
            }

            await Task.WhenAny(reader, Task.Delay(500));
        }

        await Task.WhenAny(reader, Task.Delay(IncompleteMessageBound - stopwatch.Elapsed + TimeSpan.FromSeconds(1)));
        output.WriteLine($"closed after {stopwatch.Elapsed.TotalSeconds:0.0} s");
        Assert.True(reader.IsCompleted, $"a half-sent message kept its connection open for {stopwatch.Elapsed.TotalSeconds:0} s (bound {IncompleteMessageBound.TotalSeconds:0} s)");
        Assert.True(stopwatch.Elapsed <= IncompleteMessageBound, $"closed only after {stopwatch.Elapsed.TotalSeconds:0} s (bound {IncompleteMessageBound.TotalSeconds:0} s)");
        await fixture.AssertUnaffectedAsync();
    }

    [Fact]
    public async Task Udp_flood_from_one_source_does_not_starve_tcp_clients()
    {
        // A TCP client connected before the flood (new connections would also measure the kernel
        // dropping SYNs on a saturated loopback, and its 1 s SYN retransmission, not the server).
        using var client = new TcpClient();
        await client.ConnectAsync(SipRawClient.Host, fixture.SipPort);
        var flood = TimeSpan.FromSeconds(5);
        using var stop = new CancellationTokenSource(flood);
        long sent = 0;
        var flooder = Task.Run(() =>
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var target = new IPEndPoint(IPAddress.Loopback, fixture.SipPort);
            var datagram = Encoding.ASCII.GetBytes(SipRawClient.Options("UDP", (IPEndPoint)udp.LocalEndPoint!, fixture.SipPort));
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    udp.SendTo(datagram, target);
                    sent++;
                }
                catch (SocketException)
                {
                    // ENOBUFS under load: keep flooding
                }
            }
        });

        var latencies = new List<TimeSpan>();
        while (!stop.IsCancellationRequested)
        {
            var (status, latency) = await SipRawClient.OptionsOnConnectionAsync(client, fixture.SipPort, TimeSpan.FromSeconds(5));
            Assert.True(status >= 200, $"a TCP client got no final answer during a UDP flood (status {status})");
            latencies.Add(latency);
            await Task.Delay(100);
        }

        await flooder;
        var worst = latencies.Max();
        var median = latencies.Order().ElementAt(latencies.Count / 2);
        output.WriteLine($"{sent:N0} datagrams in {flood.TotalSeconds:0} s; {latencies.Count} TCP OPTIONS, worst {worst.TotalMilliseconds:0} ms, median {median.TotalMilliseconds:0} ms");

        // Bounds with room for a shared 2-core machine (the flooder itself takes a core): a starved TCP
        // client sees seconds, or no answer at all.
        Assert.True(latencies.Count >= 10, $"only {latencies.Count} TCP OPTIONS completed during the flood");
        Assert.True(median < TimeSpan.FromMilliseconds(100), $"median TCP OPTIONS round trip {median.TotalMilliseconds:0} ms during a UDP flood from one source (bound 100 ms)");
        Assert.True(worst < TimeSpan.FromSeconds(2), $"a TCP OPTIONS took {worst.TotalMilliseconds:0} ms during a UDP flood from one source (bound 2000 ms)");
        try
        {
            await fixture.AssertUnaffectedAsync();
        }
        finally
        {
            output.WriteLine($"server RSS {fixture.LastRssGrowthBytes / 1048576} MB above the class's baseline");
        }
    }

    [Theory]
    [InlineData("udp")]
    [InlineData("tcp")]
    public async Task Sipsak_random_mode_garbling_requests_does_not_stop_the_server(string transport)
    {
        RequireSipsak();
        // Random mode trashes characters of an OPTIONS request more and more until the server stops
        // answering three times in a row; then the server must still answer a well-formed request.
        var (code, stdout, stderr) = await RunSipsakAsync(["-R", "-t", "40", "-E", transport, "-s", "sip:probe@127.0.0.1", "-r", Port(), "-vv"], TimeSpan.FromSeconds(60));
        output.WriteLine($"sipsak exit {code}\n{SippProcess.Tail(stdout, 30)}\n{stderr}");
        await fixture.AssertUnaffectedAsync();
    }

    [Fact]
    public async Task Sipsak_flood_mode_does_not_stop_the_server()
    {
        RequireSipsak();
        var (code, stdout, stderr) = await RunSipsakAsync(["-F", "-e", "20000", "-s", "sip:probe@127.0.0.1", "-r", Port()], TimeSpan.FromSeconds(60));
        output.WriteLine($"sipsak exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("flood end reached", stdout + stderr, StringComparison.Ordinal);
        await fixture.AssertUnaffectedAsync();
    }

    [Theory]
    [InlineData("OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKbad\r\n\r\n")]
    [InlineData("OPTIONS sip:127.0.0.1 SIP/9.9\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKbad\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:b@c>\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("OPTIONS sip:127.0.0.1 SIP/2.0\r\nContent-Length: 999999999999999999999\r\n\r\n")]
    [InlineData("\0\0\0\0\x16\x03\x01\0\x05hello")]
    public async Task Malformed_datagrams_are_dropped_or_rejected_without_harm(string datagram)
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        for (var i = 0; i < 100; i++)
        {
            await udp.SendAsync(Encoding.Latin1.GetBytes(datagram), new IPEndPoint(IPAddress.Loopback, fixture.SipPort));
        }

        await fixture.AssertUnaffectedAsync();
    }

    private static void RequireSipsak() =>
        Assert.True(File.Exists(SipsakProgram), $"{SipsakProgram} not found: install Debian package sipsak (sudo apt-get install -y sipsak, or run .ci/run)");

    private static async Task<(int Code, string Stdout, string Stderr)> RunSipsakAsync(string[] arguments, TimeSpan timeout)
        => await ProcessRunner.RunAsync(SipsakProgram, arguments, timeout);

    private string Port() => fixture.SipPort.ToString(CultureInfo.InvariantCulture);
}
