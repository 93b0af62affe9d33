using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Sip.Messages;
using Parley.Sip.Parsing;
using Parley.Sip.Transport;

namespace Parley.Sip.Tests.Transport;

/// <summary>
/// A stream connection writes in batches: what senders queue while a write is under way goes out in the next single
/// write, in the order queued; a failed write fails every sender waiting behind it.
/// </summary>
public sealed partial class StreamOutputBatchingTests : IAsyncLifetime
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Socket _client = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly GatedStream _stream = new();
    private readonly SipTransportCounters _counters = new();
    private Socket _server = null!;
    private SipStreamConnection _connection = null!;

    public async Task InitializeAsync()
    {
        _listener.Start();
        await _client.ConnectAsync((IPEndPoint)_listener.LocalEndpoint);
        _server = await _listener.AcceptSocketAsync();
        var services = new TransportServices(new SipTransportLimits(), new SipLimits(), TimeProvider.System, NullLogger.Instance,
            new NullSipTransportObserver(), _counters, new NoMessages(), new ConnectionTable());
        _connection = new SipStreamConnection(services, _server, _stream, SipTransportKind.Tcp, null);
    }

    public Task DisposeAsync()
    {
        _connection.Close(SipConnectionCloseReason.Error);
        _client.Dispose();
        _listener.Stop();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Messages_queued_behind_a_write_in_progress_go_out_together_in_the_next_write()
    {
        var first = _connection.SendAsync(TcpTransportTests.Outgoing("first"), default).AsTask();
        await _stream.FirstWriteStarted.WaitAsync(TimeSpan.FromSeconds(10));
        var queued = Enumerable.Range(0, 99).Select(i => _connection.SendAsync(TcpTransportTests.Outgoing($"queued-{i}"), default).AsTask()).ToArray();
        Assert.False(first.IsCompleted);
        Assert.DoesNotContain(queued, send => send.IsCompleted);

        _stream.Release();
        await Task.WhenAll(queued.Append(first)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, _stream.Writes.Count);
        Assert.Equal(["first"], CallIds(_stream.Writes[0]));
        Assert.Equal(Enumerable.Range(0, 99).Select(i => $"queued-{i}"), CallIds(_stream.Writes[1]));
        Assert.Equal((2L, 100L), (_counters.StreamWrites, _counters.StreamMessagesWritten));
    }

    [Fact]
    public async Task A_failed_write_fails_every_sender_queued_behind_it_and_closes_the_connection()
    {
        var first = _connection.SendAsync(TcpTransportTests.Outgoing("first"), default).AsTask();
        await _stream.FirstWriteStarted.WaitAsync(TimeSpan.FromSeconds(10));
        var queued = Enumerable.Range(0, 10).Select(i => _connection.SendAsync(TcpTransportTests.Outgoing($"queued-{i}"), default).AsTask()).ToArray();

        _stream.Fail(new IOException("connection reset"));

        foreach (var send in queued.Append(first))
        {
            await Assert.ThrowsAsync<SipTransportException>(() => send.WaitAsync(TimeSpan.FromSeconds(10)));
        }

        Assert.False(_connection.IsOpen);
        await Assert.ThrowsAsync<SipTransportException>(() => _connection.SendAsync(TcpTransportTests.Outgoing("after"), default).AsTask());
    }

    private static IReadOnlyList<string> CallIds(byte[] written)
        => [.. CallIdHeader().Matches(Encoding.ASCII.GetString(written)).Select(m => m.Groups[1].Value)];

    [GeneratedRegex(@"^Call-ID: (\S+)\r$", RegexOptions.Multiline)]
    private static partial Regex CallIdHeader();

    /// <summary>Records each write; the first waits until released (or failed), as a socket whose buffer is full.</summary>
    private sealed class GatedStream : Stream
    {
        private readonly TaskCompletionSource _firstStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<byte[]> Writes { get; } = [];

        public Task FirstWriteStarted => _firstStarted.Task;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void Release() => _gate.TrySetResult();

        public void Fail(Exception error) => _gate.TrySetException(error);

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            lock (Writes)
            {
                Writes.Add(buffer.ToArray());
            }

            _firstStarted.TrySetResult();
            await _gate.Task.WaitAsync(cancellationToken);
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class NoMessages : ISipMessageHandler
    {
        public ValueTask OnMessageAsync(SipMessage message, SipSource source, CancellationToken ct) => ValueTask.CompletedTask;

        public void OnMalformed(SipParseException error, SipSource source)
        {
        }
    }
}
