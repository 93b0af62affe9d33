using System.Net.Sockets;
using Parley.Sip.Messages;
using Parley.Sip.Parsing;

namespace Parley.Sip.Transport;

/// <summary>Writes: one at a time, bounded by pending bytes and a write deadline so a peer that stops reading is dropped.</summary>
internal sealed partial class SipStreamConnection
{
    private static readonly ReadOnlyMemory<byte> Pong = "\r\n"u8.ToArray();

    private readonly SemaphoreSlim _writeLock = new(1, 1);
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
        if (!IsOpen)
        {
            throw Closed();
        }

        var pending = Interlocked.Add(ref _pendingBytes, bytes.Length);
        try
        {
            if (pending > Limits.MaxPendingOutboundBytes)
            {
                Close(SipConnectionCloseReason.SlowReader);
                throw new SipTransportException($"{Transport} connection to {Remote} has {pending} bytes waiting to be written; closed.");
            }

            await _writeLock.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                if (!IsOpen)
                {
                    throw Closed();
                }

                Volatile.Write(ref _writeStarted, _services.Time.GetTimestamp());
                await _stream.WriteAsync(bytes, _abort.Token).ConfigureAwait(false);
                await _stream.FlushAsync(_abort.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException || (ex is OperationCanceledException && !IsOpen))
            {
                Close(IsOpen ? SipConnectionCloseReason.Error : CloseReason ?? SipConnectionCloseReason.Error);
                throw new SipTransportException($"Could not write to {Transport} connection {Remote}.", ex);
            }
            finally
            {
                Volatile.Write(ref _writeStarted, 0);
                _writeLock.Release();
            }
        }
        finally
        {
            Interlocked.Add(ref _pendingBytes, -bytes.Length);
        }
    }

    private SipTransportException Closed() =>
        new($"{Transport} connection to {Remote} is closed ({CloseReason?.ToString() ?? "closing"}).");
}
