using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Parley.Sip.Messages;
using Parley.Sip.Parsing;

namespace Parley.Sip.Transport;

/// <summary>
/// The UDP socket, served by <see cref="SipTransportLimits.UdpReceivers"/> threads that each receive (a reused buffer
/// and socket address), drop sources over their rate before parsing, then parse and dispatch on the same thread up to
/// the handler's first wait. Handing datagrams to other threads cost more than the work itself (a wake-up per hop);
/// the socket stays in blocking mode for the same reason (see <see cref="SendAsync"/>). Stream connections have their
/// own loops, so a UDP flood costs them at most the receivers' share of the CPU.
/// </summary>
internal sealed class SipUdpListener : IAsyncDisposable
{
    private const int MaxDatagram = 65_535;

    private readonly TransportServices _services;
    private readonly Socket _socket;
    private readonly UdpPeerTable _peers;
    private readonly CancellationTokenSource _stopping = new();
    private Task _loops = Task.CompletedTask;

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
        _peers = new UdpPeerTable(services.Limits, services.Time, LocalEndPoint);
    }

    public IPEndPoint LocalEndPoint { get; }

    public void Start()
    {
        // Dedicated threads, not pool tasks: under a flood every receive completes at once, and pool threads that never
        // yield would starve TCP connections and timers on a small machine.
        var receivers = new Task[_services.Limits.UdpReceivers];
        for (var i = 0; i < receivers.Length; i++)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            new Thread(() => ReceiveLoop(done)) { IsBackground = true, Name = "sip-udp-receive" }.Start();
            receivers[i] = done.Task;
        }

        _loops = Task.WhenAll(receivers);
    }

    /// <summary>
    /// Sends to an endpoint from the listening socket, so replies come back to our advertised port. Synchronous on
    /// purpose: a UDP send only copies into the socket buffer, and one async operation would switch the socket to
    /// non-blocking mode for good, turning every blocking receive into an epoll round trip through another thread.
    /// </summary>
    public ValueTask SendAsync(SipMessage message, IPEndPoint target, SocketAddress? address, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
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
                _socket.SendTo(buffer.WrittenMemory.Span, SocketFlags.None, address);
            }
            else
            {
                var destination = target.AddressFamily == AddressFamily.InterNetwork && _socket.AddressFamily == AddressFamily.InterNetworkV6
                    ? new IPEndPoint(target.Address.MapToIPv6(), target.Port)
                    : target;
                _socket.SendTo(buffer.WrittenMemory.Span, SocketFlags.None, destination);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            throw new SipTransportException($"UDP send to {target} failed.", ex);
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _socket.Dispose();
        await _loops.ConfigureAwait(false);
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
        var parser = new SipMessageParser(_services.ParserLimits);
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

            if (Admit(address) is not { } source)
            {
                continue;
            }

            // The message owns a copy of its bytes, so the buffer is free again once Handle returns; the handler's
            // work after its first wait goes on elsewhere.
            var pending = Handle(buffer.AsSpan(0, received), source, parser);
            if (!pending.IsCompleted)
            {
                _ = ObserveAsync(pending, source);
            }
            else if (pending.IsFaulted)
            {
                Observe(pending, source);
            }
        }
    }

    /// <summary>The source of a datagram within its rate, or null when the datagram is dropped (reported once per episode).</summary>
    private SipSource? Admit(SocketAddress address)
    {
        UdpPeer peer;
        bool episodeStarts;
        lock (_peers)
        {
            peer = _peers.Get(address);
            if (_peers.TryTake(peer))
            {
                return peer.Source;
            }

            episodeStarts = !peer.Throttled;
            peer.Throttled = true;
        }

        _services.Counters.RateLimited();
        if (episodeStarts)
        {
            Log.SourceThrottled(_services.Logger, peer.Source.Remote.ToString());
            _services.Observer.OnSourceThrottled(peer.Source.Remote);
        }

        return null;
    }

    private ValueTask Handle(ReadOnlySpan<byte> bytes, SipSource source, SipMessageParser parser)
    {
        if (IsKeepAlive(bytes))
        {
            // RFC 5626 keep-alives over UDP are STUN; a bare CRLF datagram is a common older habit. Neither gets an answer.
            _services.Counters.KeepAlive(1);
            return ValueTask.CompletedTask;
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
            return RejectAsync(error, source);
        }

        _services.Counters.MessageReceived();
        try
        {
            return _services.Handler.OnMessageAsync(message, source, _stopping.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.HandlerFailed(_services.Logger, source.ToString(), ex);
            return ValueTask.CompletedTask;
        }
    }

    private async Task ObserveAsync(ValueTask pending, SipSource source)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.HandlerFailed(_services.Logger, source.ToString(), ex);
        }
    }

    private void Observe(ValueTask failed, SipSource source)
    {
        try
        {
            failed.GetAwaiter().GetResult();
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
}
