using System.Collections.Concurrent;
using Parley.Sip.Parsing;

namespace Parley.Sip.Transport;

/// <summary>Running totals for one transport host, for metrics and tests. Thread-safe.</summary>
public sealed class SipTransportCounters
{
    private readonly ConcurrentDictionary<SipRejectionReason, long> _rejected = new();
    private long _messagesReceived;
    private long _keepAlivesReceived;
    private long _udpRateLimited;
    private long _udpUnanswerable;
    private long _connectionsAccepted;
    private long _connectionsRefused;
    private long _connectionsOpened;
    private long _connectionsClosed;
    private long _timedOut;
    private long _slowReaders;
    private long _streamWrites;
    private long _streamMessagesWritten;

    public long MessagesReceived => Interlocked.Read(ref _messagesReceived);

    /// <summary>CRLF keep-alive pings (RFC 5626 §4.4.1) on streams and bare CRLF datagrams.</summary>
    public long KeepAlivesReceived => Interlocked.Read(ref _keepAlivesReceived);

    /// <summary>Datagrams dropped before parsing because their source was over its rate.</summary>
    public long UdpRateLimited => Interlocked.Read(ref _udpRateLimited);

    /// <summary>Malformed datagrams that could not be answered (too little was parsed to build a response).</summary>
    public long UdpUnanswerable => Interlocked.Read(ref _udpUnanswerable);

    public long ConnectionsAccepted => Interlocked.Read(ref _connectionsAccepted);

    /// <summary>Connections refused at accept because <see cref="SipTransportLimits.MaxConnections"/> was reached.</summary>
    public long ConnectionsRefused => Interlocked.Read(ref _connectionsRefused);

    /// <summary>Outbound connections we opened.</summary>
    public long ConnectionsOpened => Interlocked.Read(ref _connectionsOpened);

    public long ConnectionsClosed => Interlocked.Read(ref _connectionsClosed);

    /// <summary>Connections closed for idleness or an incomplete message.</summary>
    public long TimedOut => Interlocked.Read(ref _timedOut);

    /// <summary>Connections closed because the peer did not read.</summary>
    public long SlowReaders => Interlocked.Read(ref _slowReaders);

    /// <summary>Writes to stream connections: one per batch of queued messages.</summary>
    public long StreamWrites => Interlocked.Read(ref _streamWrites);

    /// <summary>Messages (and keep-alive answers) written to stream connections, in <see cref="StreamWrites"/> writes.</summary>
    public long StreamMessagesWritten => Interlocked.Read(ref _streamMessagesWritten);

    /// <summary>Messages rejected by the parser, per reason.</summary>
    public long Rejected(SipRejectionReason reason) => _rejected.TryGetValue(reason, out var count) ? count : 0;

    /// <summary>All rejections, whatever the reason.</summary>
    public long RejectedTotal => _rejected.Values.Sum();

    internal void MessageReceived() => Interlocked.Increment(ref _messagesReceived);

    internal void StreamWritten(int messages)
    {
        Interlocked.Increment(ref _streamWrites);
        Interlocked.Add(ref _streamMessagesWritten, messages);
    }

    internal void KeepAlive(int count) => Interlocked.Add(ref _keepAlivesReceived, count);

    internal void Reject(SipRejectionReason reason) => _rejected.AddOrUpdate(reason, 1, static (_, count) => count + 1);

    internal void RateLimited() => Interlocked.Increment(ref _udpRateLimited);

    internal void Unanswerable() => Interlocked.Increment(ref _udpUnanswerable);

    internal void Accepted() => Interlocked.Increment(ref _connectionsAccepted);

    internal void Refused() => Interlocked.Increment(ref _connectionsRefused);

    internal void Opened() => Interlocked.Increment(ref _connectionsOpened);

    internal void Closed(SipConnectionCloseReason reason)
    {
        Interlocked.Increment(ref _connectionsClosed);
        if (reason is SipConnectionCloseReason.Idle or SipConnectionCloseReason.IncompleteMessage)
        {
            Interlocked.Increment(ref _timedOut);
        }
        else if (reason == SipConnectionCloseReason.SlowReader)
        {
            Interlocked.Increment(ref _slowReaders);
        }
    }
}
