namespace Parley.Sip.Transport;

/// <summary>
/// Bounds on what one peer can make the transport hold. Defaults follow common SIP servers: Kamailio closes idle TCP
/// after 120 s (tcp_connection_lifetime) and allows 2048 connections; RFC 5626 §4.4.1 clients ping every 95–120 s, so
/// the idle timeout must exceed that. Setters validate.
/// </summary>
public sealed class SipTransportLimits
{
    private int _maxConnections = 10_000;
    private int _maxConnectionsPerAddress = 1_000;
    private TimeSpan _idleTimeout = TimeSpan.FromSeconds(180);
    private TimeSpan _incompleteMessageTimeout = TimeSpan.FromSeconds(10);
    private TimeSpan _tlsHandshakeTimeout = TimeSpan.FromSeconds(10);
    private TimeSpan _connectTimeout = TimeSpan.FromSeconds(10);
    private TimeSpan _writeTimeout = TimeSpan.FromSeconds(30);
    private TimeSpan _heartbeatInterval = TimeSpan.FromSeconds(1);
    private long _maxPendingOutboundBytes = 1024 * 1024;
    private int _udpReceiveBufferBytes = 4 * 1024 * 1024;
    private int _udpReceivers = Math.Clamp(Environment.ProcessorCount / 2, 1, 4);
    private double _udpPerSourceRate = 10_000;
    private int _udpPerSourceBurst = 20_000;
    private int _udpMaxTrackedSources = 65_536;

    /// <summary>Open TCP and TLS connections, inbound and outbound together; more are refused at accept.</summary>
    public int MaxConnections { get => _maxConnections; set => _maxConnections = Positive(value); }

    /// <summary>
    /// Open connections from one IP address; a whole office behind one NAT shares it, so this only stops a single host
    /// from taking every slot.
    /// </summary>
    public int MaxConnectionsPerAddress { get => _maxConnectionsPerAddress; set => _maxConnectionsPerAddress = Positive(value); }

    /// <summary>A connection with no traffic (CRLF keep-alives count) for this long is closed.</summary>
    public TimeSpan IdleTimeout { get => _idleTimeout; set => _idleTimeout = Positive(value); }

    /// <summary>A message whose first bytes arrived this long ago and is still incomplete closes the connection (slowloris).</summary>
    public TimeSpan IncompleteMessageTimeout { get => _incompleteMessageTimeout; set => _incompleteMessageTimeout = Positive(value); }

    public TimeSpan TlsHandshakeTimeout { get => _tlsHandshakeTimeout; set => _tlsHandshakeTimeout = Positive(value); }

    /// <summary>Opening an outbound TCP connection (and its TLS handshake) gives up after this.</summary>
    public TimeSpan ConnectTimeout { get => _connectTimeout; set => _connectTimeout = Positive(value); }

    /// <summary>A write the peer does not drain within this closes the connection.</summary>
    public TimeSpan WriteTimeout { get => _writeTimeout; set => _writeTimeout = Positive(value); }

    /// <summary>How often connection deadlines are checked (one timer for all connections).</summary>
    public TimeSpan HeartbeatInterval { get => _heartbeatInterval; set => _heartbeatInterval = Positive(value); }

    /// <summary>Bytes queued to one connection and not yet written; above this the peer is disconnected.</summary>
    public long MaxPendingOutboundBytes { get => _maxPendingOutboundBytes; set => _maxPendingOutboundBytes = Positive(value); }

    /// <summary>SO_RCVBUF for the UDP socket, so bursts wait in the kernel instead of being dropped (capped by net.core.rmem_max).</summary>
    public int UdpReceiveBufferBytes { get => _udpReceiveBufferBytes; set => _udpReceiveBufferBytes = Positive(value); }

    /// <summary>
    /// Threads that receive on the UDP socket, each parsing and dispatching what it receives (as Kamailio's UDP
    /// workers do); while one handles a datagram the others keep receiving, and the kernel buffer holds bursts. Stream
    /// connections have their own loops and never wait on these. Default: half the processors, 1 to 4.
    /// </summary>
    public int UdpReceivers { get => _udpReceivers; set => _udpReceivers = Positive(value); }

    /// <summary>
    /// Sustained datagrams per second accepted from one source address and port (token bucket). One source can be a
    /// federation peer or a busy proxy carrying thousands of users, and a registered UA answering every relayed request:
    /// 1,000/s throttled such a peer's responses under load and turned into lost messages. 10,000/s is above what one
    /// honest source sends yet still stops a single flooding socket long before the receive queue fills.
    /// </summary>
    public double UdpPerSourceRate { get => _udpPerSourceRate; set => _udpPerSourceRate = value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must be a positive number."); }

    /// <summary>Datagrams one source may send in a burst above its rate (two seconds' worth by default).</summary>
    public int UdpPerSourceBurst { get => _udpPerSourceBurst; set => _udpPerSourceBurst = Positive(value); }

    /// <summary>Sources whose rate is tracked; the table is reset when it fills so spoofed sources cannot grow it.</summary>
    public int UdpMaxTrackedSources { get => _udpMaxTrackedSources; set => _udpMaxTrackedSources = Positive(value); }

    private static int Positive(int value) => value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must be positive.");

    private static long Positive(long value) => value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must be positive.");

    private static TimeSpan Positive(TimeSpan value) => value > TimeSpan.Zero && value != Timeout.InfiniteTimeSpan
        ? value
        : throw new ArgumentOutOfRangeException(nameof(value), value, "Must be a positive duration.");
}
