using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Sip.Messages;
using Parley.Sip.Parsing;
using Parley.Sip.Transport;

namespace Parley.Sip.Tests.Transport;

/// <summary>A transport host on 127.0.0.1 with free ports, answering every request 200 OK.</summary>
public sealed class TransportFixture : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public TransportFixture(Action<SipTransportHostOptions>? configure = null)
    {
        var options = new SipTransportHostOptions
        {
            Udp = new IPEndPoint(IPAddress.Loopback, 0),
            Tcp = new IPEndPoint(IPAddress.Loopback, 0),
        };
        configure?.Invoke(options);
        Host = new SipTransportHost(options, TimeProvider.System, NullLogger<SipTransportHost>.Instance, Observer);
        Handler = new AnsweringHandler(Host);
        Host.Start(Handler);
    }

    public SipTransportHost Host { get; }

    public AnsweringHandler Handler { get; }

    public RecordingObserver Observer { get; } = new();

    public IPEndPoint Udp => Host.EndPoint(SipTransportKind.Udp)!;

    public IPEndPoint Tcp => Host.EndPoint(SipTransportKind.Tcp)!;

    public static string Request(string transport, int n, string method = "OPTIONS", string? body = null, int viaPort = 5099) =>
        $"{method} sip:parley@127.0.0.1 SIP/2.0\r\n" +
        $"Via: SIP/2.0/{transport} 127.0.0.1:{viaPort};branch=z9hG4bK-test-{n};rport\r\n" +
        "Max-Forwards: 70\r\n" +
        "From: <sip:alice@example.com>;tag=alice\r\n" +
        "To: <sip:parley@example.com>\r\n" +
        $"Call-ID: call-{n}@test\r\n" +
        $"CSeq: {n + 1} {method}\r\n" +
        $"Content-Length: {Encoding.UTF8.GetByteCount(body ?? string.Empty)}\r\n\r\n" +
        body;

    public static async Task<SipMessage> ReadMessageAsync(PipeReader reader, TimeSpan? timeout = null)
    {
        var parser = new SipMessageParser(new SipLimits());
        using var cts = new CancellationTokenSource(timeout ?? Patience);
        while (true)
        {
            var result = await reader.ReadAsync(cts.Token);
            var buffer = result.Buffer;
            var parsed = parser.TryParseStream(ref buffer, out var message, out _);
            if (parsed && message is not null)
            {
                reader.AdvanceTo(buffer.Start); // what follows is unexamined: the next call parses it first
                return message;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);

            if (result.IsCompleted)
            {
                throw new IOException("The server closed the connection before a whole message arrived.");
            }
        }
    }

    /// <summary>Reads until the server closes; true when it did within the timeout.</summary>
    public static async Task<bool> ClosedByServerAsync(Socket socket, TimeSpan timeout)
    {
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return true; // reset
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public static async Task<Socket> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint);
        return socket;
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>Answers each request 200 through the host, as the transaction layer would, and records what arrives.</summary>
public sealed class AnsweringHandler(ISipTransport transport) : ISipMessageHandler
{
    public ConcurrentQueue<(SipMessage Message, SipSource Source)> Received { get; } = new();

    public ConcurrentQueue<SipParseException> Malformed { get; } = new();

    /// <summary>Messages for which the handler fails, as a buggy transaction user would.</summary>
    public Func<SipMessage, bool> FailFor { get; set; } = _ => false;

    /// <summary>False to leave answering to the test.</summary>
    public bool Answer { get; set; } = true;

    /// <summary>Extra work per message, to model a slow transaction user.</summary>
    public TimeSpan Delay { get; set; }

    public async ValueTask OnMessageAsync(SipMessage message, SipSource source, CancellationToken ct)
    {
        Received.Enqueue((message, source));
        if (FailFor(message))
        {
            throw new InvalidOperationException("handler bug (test)");
        }

        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, ct);
        }

        if (Answer && message is SipRequest request && request.Method != SipMethods.Ack)
        {
            await transport.SendResponseAsync(SipResponse.CreateFor(request, 200, toTag: "parley"), source, ct);
        }
    }

    public void OnMalformed(SipParseException error, SipSource source) => Malformed.Enqueue(error);
}

public sealed class RecordingObserver : ISipTransportObserver
{
    public ConcurrentQueue<SipConnectionCloseReason> Closed { get; } = new();

    public ConcurrentQueue<IPEndPoint> Throttled { get; } = new();

    public void OnConnectionClosed(ISipConnection connection, SipConnectionCloseReason reason) => Closed.Enqueue(reason);

    public void OnSourceThrottled(IPEndPoint source) => Throttled.Enqueue(source);
}

internal static class Bytes
{
    public static byte[] Of(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(ReadOnlySequence<byte> bytes) => Encoding.UTF8.GetString(bytes.ToArray());
}
