using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Parley.Interop.Tests.Hostile;

/// <summary>
/// Hand-written SIP over raw sockets, for what no well-behaved client sends: oversized and
/// half-sent messages, floods. Also the "bystander" probe: an OPTIONS that must be answered.
/// </summary>
public static class SipRawClient
{
    public const string Host = "127.0.0.1";

    /// <summary>An OPTIONS request addressed to the server (no user part), with a fresh branch and Call-ID.</summary>
    public static string Options(string transport, IPEndPoint local, int serverPort, string? extraHeaders = null, string body = "")
    {
        var id = Guid.NewGuid().ToString("N");
        var port = serverPort.ToString(CultureInfo.InvariantCulture);
        return $"OPTIONS sip:{Host}:{port} SIP/2.0\r\n" +
               $"Via: SIP/2.0/{transport} {Host}:{local.Port.ToString(CultureInfo.InvariantCulture)};branch=z9hG4bK{id};rport\r\n" +
               "Max-Forwards: 70\r\n" +
               $"From: <sip:probe@example.com>;tag={id[..8]}\r\n" +
               "To: <sip:example.com>\r\n" +
               $"Call-ID: {id}@{Host}\r\n" +
               "CSeq: 1 OPTIONS\r\n" +
               extraHeaders +
               $"Content-Length: {Encoding.UTF8.GetByteCount(body).ToString(CultureInfo.InvariantCulture)}\r\n\r\n" + body;
    }

    /// <summary>Sends OPTIONS over a new TCP connection and returns the first response's status code and how long it took.</summary>
    public static async Task<(int Status, TimeSpan Latency)> OptionsOverTcpAsync(int port, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var stopwatch = Stopwatch.StartNew();
        using var client = new TcpClient();
        await client.ConnectAsync(Host, port, cts.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(Options("TCP", (IPEndPoint)client.Client.LocalEndPoint!, port)), cts.Token);
        var response = await ReadResponseHeadAsync(stream, cts.Token);
        return (StatusOf(response), stopwatch.Elapsed);
    }

    /// <summary>Sends OPTIONS on an open TCP connection and returns the response status and the round-trip time.</summary>
    public static async Task<(int Status, TimeSpan Latency)> OptionsOnConnectionAsync(TcpClient client, int port, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var stopwatch = Stopwatch.StartNew();
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(Options("TCP", (IPEndPoint)client.Client.LocalEndPoint!, port)), cts.Token);
        var response = await ReadResponseHeadAsync(stream, cts.Token);
        return (StatusOf(response), stopwatch.Elapsed);
    }

    /// <summary>Sends OPTIONS over UDP (retransmitting every 500 ms like Timer E) and returns the final status code.</summary>
    public static async Task<int> OptionsOverUdpAsync(int port, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var request = Encoding.ASCII.GetBytes(Options("UDP", (IPEndPoint)udp.Client.LocalEndPoint!, port));
        var server = new IPEndPoint(IPAddress.Loopback, port);
        while (true)
        {
            await udp.SendAsync(request, server, cts.Token);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
            wait.CancelAfter(TimeSpan.FromMilliseconds(500));
            try
            {
                while (true)
                {
                    var received = await udp.ReceiveAsync(wait.Token);
                    var status = StatusOf(Encoding.ASCII.GetString(received.Buffer));
                    if (status >= 200)
                    {
                        return status;
                    }
                }
            }
            catch (OperationCanceledException) when (!cts.IsCancellationRequested)
            {
                // retransmit
            }
        }
    }

    /// <summary>Reads one response head (up to the blank line); "" when the server closed the connection first.</summary>
    public static async Task<string> ReadResponseHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        var text = new StringBuilder();
        while (!text.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer, cancellationToken);
            if (n == 0)
            {
                break;
            }

            text.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }

        return text.ToString();
    }

    public static int StatusOf(string response) =>
        response.StartsWith("SIP/2.0 ", StringComparison.Ordinal) && response.Length >= 11
            && int.TryParse(response.AsSpan(8, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status)
            ? status
            : 0;
}
