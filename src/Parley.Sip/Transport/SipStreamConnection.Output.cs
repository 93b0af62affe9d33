using Parley.Sip.Messages;
using Parley.Sip.Parsing;

namespace Parley.Sip.Transport;

/// <summary>
/// Writes in batches: messages are queued and one writer at a time writes everything queued in one write. On a quiet
/// connection that is one message per write, sent by the caller itself; on a busy trunk (a federation peer, the
/// routing node and a home node) the messages that arrive while a write is under way go out together, so the cost is
/// one system call per batch rather than per message and the queue drains as fast as the socket takes data. The queue
/// is bounded (<see cref="SipTransportLimits.MaxPendingOutboundBytes"/>) and a write the peer does not drain closes the
/// connection (<see cref="SipTransportLimits.WriteTimeout"/>, by the heartbeat).
/// </summary>
internal sealed partial class SipStreamConnection
{
    private static readonly ReadOnlyMemory<byte> Pong = "\r\n"u8.ToArray();

    private readonly Lock _outputGate = new();
    private PooledBufferWriter? _queued;
    private int _queuedMessages;
    private TaskCompletionSource? _queuedWritten;
    private bool _writerActive;
    private long _pendingBytes;
    private long _writeStarted;

    public async ValueTask SendAsync(SipMessage message, CancellationToken ct)
    {
        using var buffer = new PooledBufferWriter();
        SipMessageWriter.Write(message, buffer);
        await WriteRawAsync(buffer.WrittenMemory, ct).ConfigureAwait(false);
    }

    private async ValueTask WriteRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        Task written;
        bool writer;
        long overflow = 0;
        lock (_outputGate)
        {
            if (!IsOpen)
            {
                throw Closed();
            }

            if (_pendingBytes + bytes.Length > Limits.MaxPendingOutboundBytes)
            {
                overflow = _pendingBytes + bytes.Length;
            }
            else
            {
                Enqueue(bytes.Span);
            }

            written = _queuedWritten?.Task ?? Task.CompletedTask;
            writer = overflow == 0 && !_writerActive;
            _writerActive |= writer;
        }

        if (overflow > 0)
        {
            Close(SipConnectionCloseReason.SlowReader);
            throw new SipTransportException($"{Transport} connection to {Remote} has {overflow} bytes waiting to be written; closed.");
        }

        if (writer)
        {
            await WriteQueuedAsync(handOff: true).ConfigureAwait(false);
        }

        await written.WaitAsync(ct).ConfigureAwait(false);
    }

    private void Enqueue(ReadOnlySpan<byte> bytes)
    {
        _queued ??= new PooledBufferWriter(Math.Max(4096, bytes.Length));
        bytes.CopyTo(_queued.GetSpan(bytes.Length));
        _queued.Advance(bytes.Length);
        _pendingBytes += bytes.Length;
        _queuedMessages++;
        _queuedWritten ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// Writes the queue batch by batch until it is empty. The caller's own batch is written on its thread; with
    /// <paramref name="handOff"/>, what queued meanwhile is left to a pool thread, so a sender never keeps writing
    /// other senders' messages while its own caller waits.
    /// </summary>
    private async Task WriteQueuedAsync(bool handOff)
    {
        while (true)
        {
            PooledBufferWriter? batch;
            TaskCompletionSource? done;
            int messages;
            lock (_outputGate)
            {
                batch = _queued;
                done = _queuedWritten;
                messages = _queuedMessages;
                _queued = null;
                _queuedWritten = null;
                _queuedMessages = 0;
                if (batch is null || done is null)
                {
                    _writerActive = false;
                    return;
                }
            }

            try
            {
                Volatile.Write(ref _writeStarted, _services.Time.GetTimestamp());
                await _stream.WriteAsync(batch.WrittenMemory, _abort.Token).ConfigureAwait(false);
                await _stream.FlushAsync(_abort.Token).ConfigureAwait(false);
                _services.Counters.StreamWritten(messages);
                done.TrySetResult();
            }
            catch (Exception ex)
            {
                // Whatever failed (the socket, a close by the heartbeat, TLS), the connection is done: every sender
                // waiting on it must hear so, or it would wait forever.
                Close(IsOpen ? SipConnectionCloseReason.Error : CloseReason ?? SipConnectionCloseReason.Error);
                FailQueued(done, new SipTransportException($"Could not write to {Transport} connection {Remote}.", ex));
                return;
            }
            finally
            {
                Volatile.Write(ref _writeStarted, 0);
                lock (_outputGate)
                {
                    _pendingBytes -= batch.WrittenCount;
                }

                batch.Dispose();
            }

            if (handOff)
            {
                lock (_outputGate)
                {
                    if (_queued is null)
                    {
                        _writerActive = false;
                        return;
                    }
                }

                _ = Task.Run(() => WriteQueuedAsync(handOff: false));
                return;
            }
        }
    }

    /// <summary>The connection is closed: this batch's senders and every one queued behind it get the error.</summary>
    private void FailQueued(TaskCompletionSource done, SipTransportException error)
    {
        TaskCompletionSource? queued;
        lock (_outputGate)
        {
            queued = _queuedWritten;
            _pendingBytes -= _queued?.WrittenCount ?? 0;
            _queued?.Dispose();
            _queued = null;
            _queuedMessages = 0;
            _queuedWritten = null;
            _writerActive = false;
        }

        foreach (var senders in queued is null ? [done] : new[] { done, queued })
        {
            senders.TrySetException(error);
            _ = senders.Task.Exception; // observed: a sender that stopped waiting (its cancellation) must not leave it unobserved
        }
    }

    private SipTransportException Closed() =>
        new($"{Transport} connection to {Remote} is closed ({CloseReason?.ToString() ?? "closing"}).");
}
