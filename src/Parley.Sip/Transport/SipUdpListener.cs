using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Parley.Sip.Messages;
using Parley.Sip.Parsing;

namespace Parley.Sip.Transport;

/// <summary>
/// The UDP socket. One loop receives (no allocation per datagram: a reused buffer and socket address), drops sources
/// over their rate, and queues a pooled copy; a few workers parse and dispatch. Stream connections have their own
/// loops, so a UDP flood costs them at most the workers' share of the CPU.
/// </summary>
internal sealed class SipUdpListener : IAsyncDisposable
{
    private const int MaxDatagram = 65_535;

    private readonly TransportServices _services;
    private readonly Socket _socket;
    private readonly Channel<Datagram> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private Task _loops = Task.CompletedTask;
    private int _queueFullReported;

    public SipUdpListener(TransportServices services, IPEndPoint endPoint)
    {
        _services = services;
        _socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
            {
                _socket.DualMode = true;
            }

            _socket.ReceiveBufferSize = services.Limits.UdpReceiveBufferBytes;
            _socket.Bind(endPoint);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }

        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _queue = Channel.CreateBounded<Datagram>(new BoundedChannelOptions(services.Limits.UdpQueueCapacity)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public IPEndPoint LocalEndPoint { get; }

    public void Start()
    {
        // The receiver gets its own thread: under a flood every receive completes at once, and a pool thread that
        // never yields would starve TCP connections and timers on a small machine.
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() => ReceiveLoop(received)) { IsBackground = true, Name = "sip-udp-receive" }.Start();
        var workers = new Task[_services.Limits.UdpWorkers + 1];
        workers[0] = received.Task;
        for (var i = 1; i < workers.Length; i++)
        {
            workers[i] = Task.Run(WorkerLoopAsync);
        }

        _loops = Task.WhenAll(workers);
    }

    /// <summary>Sends to an endpoint from the listening socket, so replies come back to our advertised port.</summary>
    public async ValueTask SendAsync(SipMessage message, IPEndPoint target, SocketAddress? address, CancellationToken ct)
    {
        using var buffer = new PooledBufferWriter();
        SipMessageWriter.Write(message, buffer);
        if (buffer.WrittenCount > MaxDatagram - 28)
        {
            throw new SipTransportException($"A {buffer.WrittenCount}-byte message does not fit in a UDP datagram.");
        }

        try
        {
            if (address is not null)
            {
                await _socket.SendToAsync(buffer.WrittenMemory, SocketFlags.None, address, ct).ConfigureAwait(false);
            }
            else
            {
                var destination = target.AddressFamily == AddressFamily.InterNetwork && _socket.AddressFamily == AddressFamily.InterNetworkV6
                    ? new IPEndPoint(target.Address.MapToIPv6(), target.Port)
                    : target;
                await _socket.SendToAsync(buffer.WrittenMemory, SocketFlags.None, destination, ct).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            throw new SipTransportException($"UDP send to {target} failed.", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _socket.Dispose();
        _queue.Writer.TryComplete();
        await _loops.ConfigureAwait(false);
        while (_queue.Reader.TryRead(out var left))
        {
            left.Release();
        }

        _stopping.Dispose();
    }

    private void ReceiveLoop(TaskCompletionSource done)
    {
        try
        {
            Receive();
        }
        finally
        {
            done.TrySetResult();
        }
    }

    private void Receive()
    {
        var buffer = GC.AllocateUninitializedArray<byte>(MaxDatagram, pinned: false);
        var address = new SocketAddress(_socket.AddressFamily);
        var peers = new UdpPeerTable(_services.Limits, _services.Time, LocalEndPoint);
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            int received;
            try
            {
                received = _socket.ReceiveFrom(buffer.AsSpan(), SocketFlags.None, address);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException) when (token.IsCancellationRequested)
            {
                return; // Disposing the socket interrupts the blocking receive.
            }
            catch (SocketException ex)
            {
                // ICMP errors and truncation surface here on some stacks; the socket itself is fine.
                _services.Observer.OnTransportError(SipTransportKind.Udp, null, ex);
                continue;
            }

            var peer = peers.Get(address);
            if (!peers.TryTake(peer))
            {
                _services.Counters.RateLimited();
                if (!peer.Throttled)
                {
                    peer.Throttled = true;
                    Log.SourceThrottled(_services.Logger, peer.Source.Remote.ToString());
                    _services.Observer.OnSourceThrottled(peer.Source.Remote);
                }

                continue;
            }

            var copy = ArrayPool<byte>.Shared.Rent(received);
            buffer.AsSpan(0, received).CopyTo(copy);
            if (!_queue.Writer.TryWrite(new Datagram(copy, received, peer.Source)))
            {
                ArrayPool<byte>.Shared.Return(copy);
                _services.Counters.QueueFull();
                if (Interlocked.Exchange(ref _queueFullReported, 1) == 0)
                {
                    Log.UdpQueueFull(_services.Logger, _services.Limits.UdpQueueCapacity);
                }
            }
        }
    }

    private async Task WorkerLoopAsync()
    {
        var reader = _queue.Reader;
        var parser = new SipMessageParser(_services.ParserLimits); // one per worker: parsers keep scratch state
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var datagram))
                {
                    try
                    {
                        await HandleAsync(datagram, parser).ConfigureAwait(false);
                    }
                    finally
                    {
                        datagram.Release();
                    }
                }

                Volatile.Write(ref _queueFullReported, 0);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async ValueTask HandleAsync(Datagram datagram, SipMessageParser parser)
    {
        var source = datagram.Source;
        var bytes = datagram.Buffer.AsSpan(0, datagram.Length);
        if (IsKeepAlive(bytes))
        {
            // RFC 5626 keep-alives over UDP are STUN; a bare CRLF datagram is a common older habit. Neither gets an answer.
            _services.Counters.KeepAlive(1);
            return;
        }

        SipMessage message;
        try
        {
            message = parser.ParseDatagram(bytes);
            if (message is SipRequest request)
            {
                ReceivedStamp.Apply(request, source.Remote);
            }
        }
        catch (SipParseException error)
        {
            await RejectAsync(error, source).ConfigureAwait(false);
            return;
        }

        _services.Counters.MessageReceived();
        try
        {
            await _services.Handler.OnMessageAsync(message, source, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.HandlerFailed(_services.Logger, source.ToString(), ex);
        }
    }

    /// <summary>Answers the datagram's source (not its Via, which may be forged) when a response can be built; else drops it.</summary>
    private async ValueTask RejectAsync(SipParseException error, SipSource source)
    {
        _services.ReportMalformed(error, source);
        if (Rejection.TryBuild(error) is not { } response)
        {
            _services.Counters.Unanswerable();
            return;
        }

        try
        {
            await SendAsync(response, source.Remote, source.UdpAddress, _stopping.Token).ConfigureAwait(false);
        }
        catch (SipTransportException ex)
        {
            Log.SendFailed(_services.Logger, source.ToString(), ex);
        }
    }

    private static bool IsKeepAlive(ReadOnlySpan<byte> bytes) =>
        bytes.IsEmpty || SipMessageParser.IsKeepAlive(bytes) || IsStun(bytes);

    /// <summary>RFC 5389 §6: two zero top bits and the magic cookie at offset 4; SIP starts with a letter.</summary>
    private static bool IsStun(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 20 && (bytes[0] & 0xC0) == 0 && bytes[4] == 0x21 && bytes[5] == 0x12 && bytes[6] == 0xA4 && bytes[7] == 0x42;

    private readonly record struct Datagram(byte[] Buffer, int Length, SipSource Source)
    {
        public void Release() => ArrayPool<byte>.Shared.Return(Buffer);
    }
}
