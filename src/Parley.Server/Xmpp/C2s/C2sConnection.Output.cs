using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Parley.Xmpp;
using Parley.Xmpp.Streams;
using Parley.Xmpp.Xml;

namespace Parley.Server.Xmpp.C2s;

internal sealed partial class C2sConnection
{
    private readonly Element _ackRequest = new("r", XmppNamespaces.StreamManagement);

    private readonly object _sendGate = new();
    private PipeWriter _output;
    private Queue<OutboundItem>? _queue;
    private bool _draining;
    private bool _closing;
    private bool _closeAfterDrain;
    private bool _ackRequested;
    private TaskCompletionSource? _drained;
    private long _flushStartedTicks;

    /// <summary>Queues an element; never blocks. A client that stops reading is cut once its queue is full.</summary>
    public void Send(Element element)
    {
        Enqueue(new OutboundItem(element, null));
        if (!ReferenceEquals(element, _ackRequest) && _session?.StreamManagement is { } sm && sm.UnackedCount >= Options.AckRequestThreshold)
        {
            RequestAck();
        }
    }

    /// <summary>Closes from another thread (resource conflict, shutdown): stream error if given, then the socket.</summary>
    public void Close(XmppStreamErrorReason? reason, string? text)
    {
        if (reason is { } condition)
        {
            Enqueue(new OutboundItem(null, StreamErrorBytes(condition, text)));
        }

        lock (_sendGate)
        {
            _closing = true;
            _closeAfterDrain = true;
            if (_draining)
            {
                return;
            }
        }

        ShutdownSocket();
    }

    private void SendRaw(byte[] bytes) => Enqueue(new OutboundItem(null, bytes));

    private void RequestAck()
    {
        lock (_sendGate)
        {
            if (_ackRequested)
            {
                return;
            }

            _ackRequested = true;
        }

        Enqueue(new OutboundItem(_ackRequest, null));
    }

    /// <summary>Called each heartbeat: stanzas still unacknowledged get an ack request, so resumption loses none.</summary>
    private void RequestAckIfDue()
    {
        if (_session?.StreamManagement is { UnackedCount: > 0 } && !_ackRequested)
        {
            RequestAck();
        }
    }

    private void OnAckReceived()
    {
        lock (_sendGate)
        {
            _ackRequested = false;
        }
    }

    private void Enqueue(OutboundItem item)
    {
        lock (_sendGate)
        {
            if (_closing)
            {
                return;
            }

            var queue = _queue ??= new Queue<OutboundItem>();
            if (queue.Count >= Options.MaxQueuedStanzas)
            {
                // The client does not read what it is sent; keeping it would let one client hold unbounded memory.
                _closing = true;
                queue.Clear();
                Log.OutboundQueueFull(Logger, RemoteEndPoint, Options.MaxQueuedStanzas);
                _services.Events.Raise(Diagnostics.ParleyEvents.Limits.StreamPolicyViolation, RemoteEndPoint, $"the client did not read {Options.MaxQueuedStanzas} queued stanzas");
                Abort(TimeoutReason.None);
                return;
            }

            queue.Enqueue(item);
            if (_draining)
            {
                return;
            }

            _draining = true;
        }

        _ = DrainAsync();
    }

    private async Task DrainAsync()
    {
        try
        {
            while (true)
            {
                OutboundItem[] batch;
                lock (_sendGate)
                {
                    if (_queue is null || _queue.Count == 0)
                    {
                        _draining = false;
                        _drained?.TrySetResult();
                        _drained = null;
                        if (_closeAfterDrain)
                        {
                            break;
                        }

                        return;
                    }

                    batch = [.. _queue];
                    _queue.Clear();
                }

                foreach (var item in batch)
                {
                    if (item.Element is { } element)
                    {
                        element.WriteTo(_output, XmppNamespaces.Client);
                    }
                    else
                    {
                        _output.Write(item.Raw.AsSpan());
                    }
                }

                Volatile.Write(ref _flushStartedTicks, _services.Time.GetTimestamp());
                var flush = await _output.FlushAsync().ConfigureAwait(false);
                Volatile.Write(ref _flushStartedTicks, 0);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    throw new IOException("The connection's output was closed.");
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            lock (_sendGate)
            {
                _closing = true;
                _draining = false;
                _queue?.Clear();
                _drained?.TrySetResult();
                _drained = null;
            }
        }

        ShutdownSocket();
    }

    private void ShutdownSocket()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        Abort(TimeoutReason.None);
    }

    private async Task WhenDrainedAsync(TimeSpan timeout)
    {
        Task wait;
        lock (_sendGate)
        {
            if (!_draining)
            {
                return;
            }

            wait = (_drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }

        try
        {
            await wait.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }

    /// <summary>Sends a stream error and the closing tag, and waits (bounded) until they are written.</summary>
    private async Task CloseWithErrorAsync(XmppStreamErrorReason reason, string? text)
    {
        if (_state == ConnectionState.Closed)
        {
            return;
        }

        if (_streamId.Length == 0)
        {
            // RFC 6120 §4.9.1.1: a stream error before the stream header still opens a stream first.
            SendRaw(HeaderBytes());
        }

        SendRaw(StreamErrorBytes(reason, text));
        lock (_sendGate)
        {
            _closing = true;
        }

        await WhenDrainedAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
    }

    private async Task CloseGracefullyAsync()
    {
        SendRaw(Bytes(w => XmppStreamWriter.WriteEnd(w)));
        lock (_sendGate)
        {
            _closing = true;
        }

        await WhenDrainedAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
    }

    private static byte[] StreamErrorBytes(XmppStreamErrorReason reason, string? text) => Bytes(w => XmppStreamWriter.WriteError(w, reason, text));

    private static byte[] Bytes(Action<System.Buffers.ArrayBufferWriter<byte>> write)
    {
        var writer = new System.Buffers.ArrayBufferWriter<byte>(256);
        write(writer);
        return writer.WrittenSpan.ToArray();
    }

    private readonly record struct OutboundItem(Element? Element, byte[]? Raw);
}
