using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Parley.Server.Sessions;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Sasl;
using Parley.Xmpp.Streams;
using Parley.Xmpp.Xml;

namespace Parley.Server.Xmpp.C2s;

/// <summary>
/// One client TCP connection: owns the socket, the TLS layer and the stream parser, and is the session's transport
/// while it lives. Reads on its own task; writes are queued from any thread and drained by one writer at a time.
/// </summary>
internal sealed partial class C2sConnection : IStanzaTransport, IHeartbeatClient
{
    private static readonly StreamPipeReaderOptions ReaderOptions = new(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true, useZeroByteReads: true);
    private static readonly StreamPipeWriterOptions WriterOptions = new(minimumBufferSize: 4096, leaveOpen: true);

    private readonly C2sServices _services;
    private readonly Socket _socket;
    private readonly NetworkStream _network;
    private readonly CancellationTokenSource _abort = new();
    private readonly XmppStreamParser _parser;
    private Stream _stream;
    private PipeReader _input;
    private ConnectionState _state = ConnectionState.AwaitingStreamHeader;
    private volatile TimeoutReason _timeoutReason;
    private DateTimeOffset _handshakeDeadline;
    private DateTimeOffset _lastReceived;
    private DateTimeOffset? _partialSince;
    private bool _pinged;
    private bool _tls;
    private bool _closedCleanly;
    private string _domain = string.Empty;
    private string _streamId = string.Empty;
    private string? _lang;
    private Jid? _authenticated;
    private XmppSession? _session;
    private ScramServer? _scram;
    private string _scramMechanism = string.Empty;
    private Jid? _scramUser;
    private bool _scramUserEnabled;
    private int _authFailures;

    public C2sConnection(C2sServices services, Socket socket)
    {
        _services = services;
        _socket = socket;
        _network = new NetworkStream(socket, ownsSocket: true);
        _stream = _network;
        _input = PipeReader.Create(_network, ReaderOptions);
        _output = PipeWriter.Create(_network, WriterOptions);
        _parser = new XmppStreamParser(services.Options.Limits);
        RemoteAddress = (socket.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
        RemoteEndPoint = socket.RemoteEndPoint?.ToString() ?? "unknown";
    }

    public IPAddress RemoteAddress { get; }

    public string RemoteEndPoint { get; }

    private XmppServerOptions Options => _services.Options;

    private ILogger Logger => _services.Logger;

    public async Task RunAsync()
    {
        var now = _services.Time.GetUtcNow();
        _handshakeDeadline = now + Options.HandshakeTimeout;
        _lastReceived = now;
        _services.Heartbeat.Register(this);
        Log.ConnectionOpened(Logger, RemoteEndPoint);
        try
        {
            await ReadLoopAsync().ConfigureAwait(false);
        }
        catch (XmppStreamException ex)
        {
            Log.StreamViolation(Logger, RemoteEndPoint, ex.Reason, ex.Message);
            if (ex.Reason is XmppStreamErrorReason.PolicyViolation)
            {
                _services.Events.Raise(Diagnostics.ParleyEvents.Limits.StreamPolicyViolation, RemoteEndPoint, ex.Message);
            }

            await CloseWithErrorAsync(ex.Reason, ex.Message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_timeoutReason != TimeoutReason.None)
        {
            var reason = _timeoutReason;
            Log.TimedOut(Logger, RemoteEndPoint, reason);
            await CloseWithErrorAsync(XmppStreamErrorReason.ConnectionTimeout, TimeoutText(reason)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer went away or the server is closing the connection: nothing to tell the client.
        }
        catch (Exception ex)
        {
            Log.UnexpectedError(Logger, RemoteEndPoint, ex);
            await CloseWithErrorAsync(XmppStreamErrorReason.InternalServerError, null).ConfigureAwait(false);
        }
        finally
        {
            await ShutdownAsync().ConfigureAwait(false);
        }
    }

    private async Task ReadLoopAsync()
    {
        while (true)
        {
            var result = await _input.ReadAsync(_abort.Token).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (!buffer.IsEmpty)
            {
                _lastReceived = _services.Time.GetUtcNow();
                _pinged = false;
            }

            var consumed = buffer.Start;
            var restartTls = false;
            try
            {
                while (TryParse(buffer.Slice(consumed), out var streamEvent, out consumed))
                {
                    _partialSince = null;
                    var next = await HandleEventAsync(streamEvent).ConfigureAwait(false);
                    if (next == NextStep.Close)
                    {
                        return;
                    }

                    if (next == NextStep.StartTls)
                    {
                        restartTls = true;
                        break;
                    }
                }

                if (!restartTls && _parser.HasPartialStanza)
                {
                    _partialSince ??= _lastReceived;
                }
            }
            finally
            {
                _input.AdvanceTo(consumed, buffer.End);
            }

            if (restartTls)
            {
                await StartTlsAsync().ConfigureAwait(false);
                continue;
            }

            if (result.IsCompleted)
            {
                return; // The client closed its side.
            }
        }
    }

    /// <summary>One event from the unread bytes; the reader cannot live across awaits, so each call makes its own.</summary>
    private bool TryParse(ReadOnlySequence<byte> unread, out XmppStreamEvent streamEvent, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(unread);
        var parsed = _parser.TryRead(ref reader, out streamEvent);
        consumed = reader.Position;
        return parsed;
    }

    private async ValueTask<NextStep> HandleEventAsync(XmppStreamEvent streamEvent)
    {
        switch (streamEvent.Kind)
        {
            case XmppStreamEventKind.StreamStart:
                return OpenStream(streamEvent.Element!);
            case XmppStreamEventKind.StreamEnd:
                // XEP-0198 §7: a cleanly closed stream ends the session; there is nothing to resume. It ends before our
                // closing tag goes out, so once the client sees that, what is sent to it goes to its other resources
                // or to offline storage rather than into a closing connection.
                _closedCleanly = true;
                await EndSession().ConfigureAwait(false);
                await CloseGracefullyAsync().ConfigureAwait(false);
                return NextStep.Close;
            default:
                return await HandleElementAsync(streamEvent.Element!).ConfigureAwait(false);
        }
    }

    private ValueTask<NextStep> HandleElementAsync(Element element) => _state switch
    {
        ConnectionState.Negotiating or ConnectionState.AwaitingSaslResponse => NegotiateAsync(element),
        ConnectionState.Authenticated => BindOrResumeAsync(element),
        ConnectionState.Established => HandleEstablishedAsync(element),
        _ => throw new XmppStreamException(XmppStreamErrorReason.NotAuthorized, "Element before the stream was negotiated."),
    };

    public void OnHeartbeat(DateTimeOffset now)
    {
        if (_state == ConnectionState.Closed || _timeoutReason != TimeoutReason.None)
        {
            return;
        }

        var flushStarted = Volatile.Read(ref _flushStartedTicks);
        if (flushStarted != 0 && _services.Time.GetElapsedTime(flushStarted) > Options.WriteTimeout)
        {
            // The client does not read; its queue would only grow. Closing the socket also ends the stuck write.
            Log.TimedOut(Logger, RemoteEndPoint, TimeoutReason.WriteStalled);
            _services.Events.Raise(Diagnostics.ParleyEvents.Limits.StreamPolicyViolation, RemoteEndPoint, $"the client stopped reading (a write waited over {Options.WriteTimeout.TotalSeconds:0} s)");
            _timeoutReason = TimeoutReason.WriteStalled;
            ShutdownSocket();
            return;
        }

        if (_state != ConnectionState.Established)
        {
            if (now > _handshakeDeadline)
            {
                Abort(TimeoutReason.Handshake);
            }

            return;
        }

        if (_partialSince is { } since && now - since > Options.StanzaCompletionTimeout)
        {
            Abort(TimeoutReason.StanzaIncomplete);
            return;
        }

        var idle = now - _lastReceived;
        if (idle > Options.IdleTimeout * 2)
        {
            Abort(TimeoutReason.Idle);
        }
        else if (idle > Options.IdleTimeout && !_pinged)
        {
            _pinged = true;
            Send(IdlePing());
        }

        RequestAckIfDue();
    }

    private void Abort(TimeoutReason reason)
    {
        _timeoutReason = reason;
        try
        {
            _abort.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private static string TimeoutText(TimeoutReason reason) => reason switch
    {
        TimeoutReason.Handshake => "Stream negotiation (TLS, authentication, binding) took too long.",
        TimeoutReason.StanzaIncomplete => "A stanza was not completed in time.",
        TimeoutReason.WriteStalled => "The client stopped reading what the server sends.",
        _ => "The connection was idle too long.",
    };

    private async Task ShutdownAsync()
    {
        _state = ConnectionState.Closed;
        _services.Heartbeat.Unregister(this);
        _ = EndSession(); // tracked with the session terminations the listener waits for at shutdown
        try
        {
            await WhenDrainedAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        await _input.CompleteAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        _abort.Dispose();
        Log.ConnectionClosed(Logger, RemoteEndPoint);
    }

    private enum NextStep
    {
        Continue,
        StartTls,
        Close,
    }
}
