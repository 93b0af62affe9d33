using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Parley.Sip.Messages;
using Parley.Sip.Parsing;

namespace Parley.Sip.Transport;

/// <summary>
/// One TCP or TLS connection: owns the socket and stream, reads framed messages with a pipe and hands them to the
/// handler in order, answers CRLF keep-alives, and writes one message at a time. Deadlines (idle, incomplete
/// message, stalled write) are checked by the host's heartbeat.
/// </summary>
internal sealed partial class SipStreamConnection : ISipConnection
{
    private static readonly StreamPipeReaderOptions ReaderOptions = new(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true, useZeroByteReads: true);

    private readonly TransportServices _services;
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader _input;
    private readonly SipMessageParser _parser;
    private readonly SipSource _source;
    private readonly CancellationTokenSource _abort = new();
    private int _closed;
    private long _lastReceived;
    private long _partialSince;
    private int _closeReason = -1;

    public SipStreamConnection(TransportServices services, Socket socket, Stream stream, SipTransportKind transport, X509Certificate2? peerCertificate, bool peerAuthenticated = false)
    {
        _services = services;
        _socket = socket;
        _stream = stream;
        Transport = transport;
        PeerCertificate = peerCertificate;
        Remote = Endpoints.Normalize((IPEndPoint)socket.RemoteEndPoint!);
        Local = Endpoints.Normalize((IPEndPoint)socket.LocalEndPoint!);
        _input = PipeReader.Create(stream, ReaderOptions);
        _parser = new SipMessageParser(services.ParserLimits);
        _source = new SipSource(transport, Remote, Local, this) { IsPeerAuthenticated = peerAuthenticated };
        _lastReceived = services.Time.GetTimestamp();
    }

    public SipTransportKind Transport { get; }

    public IPEndPoint Remote { get; }

    public IPEndPoint Local { get; }

    public X509Certificate2? PeerCertificate { get; }

    public bool IsOpen => Volatile.Read(ref _closed) == 0;

    public SipConnectionCloseReason? CloseReason => Volatile.Read(ref _closeReason) is var r and >= 0 ? (SipConnectionCloseReason)r : null;

    /// <summary>Completes when the connection has closed and released everything.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    private SipTransportLimits Limits => _services.Limits;

    /// <summary>Starts the read loop; the connection removes itself from the table when it ends.</summary>
    public void Start()
    {
        Log.ConnectionOpened(_services.Logger, Transport, Remote.ToString());
        Completion = RunAsync();
    }

    public void Close(SipConnectionCloseReason reason)
    {
        if (Interlocked.CompareExchange(ref _closeReason, (int)reason, -1) != -1)
        {
            return;
        }

        Volatile.Write(ref _closed, 1);
        _abort.Cancel();
        _socket.Dispose();
    }

    /// <summary>Checks this connection's deadlines; called by the host's heartbeat.</summary>
    public void OnHeartbeat(long now)
    {
        if (!IsOpen)
        {
            return;
        }

        var time = _services.Time;
        var writeStarted = Volatile.Read(ref _writeStarted);
        if (writeStarted != 0 && time.GetElapsedTime(writeStarted, now) > Limits.WriteTimeout)
        {
            Close(SipConnectionCloseReason.SlowReader);
            return;
        }

        var partialSince = Volatile.Read(ref _partialSince);
        if (partialSince != 0 && time.GetElapsedTime(partialSince, now) > Limits.IncompleteMessageTimeout)
        {
            Close(SipConnectionCloseReason.IncompleteMessage);
            return;
        }

        if (time.GetElapsedTime(Volatile.Read(ref _lastReceived), now) > Limits.IdleTimeout)
        {
            Close(SipConnectionCloseReason.Idle);
        }
    }

    private async Task RunAsync()
    {
        await Task.Yield();
        try
        {
            await ReadLoopAsync().ConfigureAwait(false);
            Close(SipConnectionCloseReason.RemoteClosed);
        }
        catch (SipParseException error)
        {
            await RejectAsync(error).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException && !IsOpen)
        {
            // Closed by a deadline, the host or a failed write: the reason is already recorded.
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or AuthenticationException)
        {
            Close(SipConnectionCloseReason.RemoteClosed);
        }
        catch (Exception ex)
        {
            Log.HandlerFailed(_services.Logger, _source.ToString(), ex);
            Close(SipConnectionCloseReason.Error);
        }
        finally
        {
            await ReleaseAsync().ConfigureAwait(false);
        }
    }

    private async Task ReadLoopAsync()
    {
        var time = _services.Time;
        while (true)
        {
            var result = await _input.ReadAsync(_abort.Token).ConfigureAwait(false);
            var buffer = result.Buffer;
            Volatile.Write(ref _lastReceived, time.GetTimestamp());
            try
            {
                while (true)
                {
                    var start = buffer.Start;
                    var parsed = _parser.TryParseStream(ref buffer, out var message, out var keepAlives);
                    if (keepAlives > 0)
                    {
                        _services.Counters.KeepAlive(keepAlives);
                        for (var i = 0; i < keepAlives; i++)
                        {
                            // RFC 5626 §4.4.1: each CRLFCRLF ping gets a CRLF pong.
                            await WriteRawAsync(Pong, _abort.Token).ConfigureAwait(false);
                        }
                    }

                    if (message is not null)
                    {
                        Volatile.Write(ref _partialSince, 0);
                        await DispatchAsync(message).ConfigureAwait(false);
                    }

                    if (!parsed || (message is null && buffer.Start.Equals(start)))
                    {
                        break;
                    }
                }

                if (buffer.IsEmpty)
                {
                    Volatile.Write(ref _partialSince, 0);
                }
                else
                {
                    if (Volatile.Read(ref _partialSince) == 0)
                    {
                        Volatile.Write(ref _partialSince, time.GetTimestamp());
                    }

                    // The parser bounds a message; this only guards against it buffering without end.
                    if (buffer.Length > (long)_services.ParserLimits.MaxMessageBytes * 2)
                    {
                        throw new SipParseException(SipRejectionReason.MessageTooLarge, "message larger than the limit");
                    }
                }
            }
            finally
            {
                _input.AdvanceTo(buffer.Start, buffer.End);
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                return;
            }
        }
    }

    private async ValueTask DispatchAsync(SipMessage message)
    {
        if (message is SipRequest request)
        {
            ReceivedStamp.Apply(request, Remote);
        }

        _services.Counters.MessageReceived();
        try
        {
            await _services.Handler.OnMessageAsync(message, _source, _abort.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The framing is intact: a handler bug (even a header it could not parse) must not take the connection,
            // and every other transaction on it, down.
            Log.HandlerFailed(_services.Logger, _source.ToString(), ex);
        }
    }

    /// <summary>Answers what the parser refused (when a response can be built), then closes: the framing is lost.</summary>
    private async Task RejectAsync(SipParseException error)
    {
        Volatile.Write(ref _partialSince, 0); // the linger below must not be mistaken for a slow message
        _services.ReportMalformed(error, _source);
        if (Rejection.TryBuild(error) is { } response)
        {
            try
            {
                await SendAsync(response, _abort.Token).ConfigureAwait(false);
                await LingerAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SipTransportException or IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The peer is gone; nothing more to tell it.
            }
        }

        Close(SipConnectionCloseReason.Malformed);
    }

    /// <summary>
    /// Half-closes and discards what the peer is still sending for a moment, so closing does not reset the connection
    /// (and destroy our answer in the peer's receive buffer) while its oversized message is in flight.
    /// </summary>
    private async Task LingerAsync()
    {
        if (_stream is SslStream ssl)
        {
            await ssl.ShutdownAsync().ConfigureAwait(false);
        }

        _socket.Shutdown(SocketShutdown.Send);
        using var linger = new CancellationTokenSource(TimeSpan.FromSeconds(1), _services.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(linger.Token, _abort.Token);
        long discarded = 0;
        while (discarded < 4L * _services.ParserLimits.MaxMessageBytes)
        {
            var result = await _input.ReadAsync(linked.Token).ConfigureAwait(false);
            discarded += result.Buffer.Length;
            _input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return;
            }
        }
    }

    private async Task ReleaseAsync()
    {
        Close(SipConnectionCloseReason.RemoteClosed);
        var reason = CloseReason ?? SipConnectionCloseReason.Error;
        await _input.CompleteAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        _services.Connections.Remove(this);
        _services.Counters.Closed(reason);
        Log.ConnectionClosed(_services.Logger, Transport, Remote.ToString(), reason);
        _services.Observer.OnConnectionClosed(this, reason);

        // _abort is not disposed: a late Close from the heartbeat may still be cancelling it, and it holds no handle.
    }
}
