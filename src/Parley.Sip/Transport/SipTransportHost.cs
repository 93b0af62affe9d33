using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Parley.Sip.Messages;

namespace Parley.Sip.Transport;

/// <summary>
/// The SIP transports of one node: the UDP, TCP and TLS listeners, the table of open connections (reused for requests
/// to the same endpoint; responses return on the request's connection), CRLF keep-alives, RFC 3581 rport stamping of
/// received requests, and one heartbeat for every connection deadline.
/// </summary>
public sealed partial class SipTransportHost : ISipTransport, IAsyncDisposable
{
    private readonly SipTransportHostOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SipTransportHost> _logger;
    private readonly ISipTransportObserver _observer;
    private readonly ConnectionTable _connections = new();
    private readonly ConcurrentDictionary<(SipTransportKind, IPEndPoint), Task<SipStreamConnection>> _connecting = new();
    private readonly CancellationTokenSource _stopping = new();
    private TransportServices? _services;
    private SipUdpListener? _udp;
    private SipStreamListener? _tcp;
    private SipStreamListener? _tls;
    private ITimer? _heartbeat;
    private string _advertisedHost = "localhost";

    public SipTransportHost(SipTransportHostOptions options, TimeProvider time, ILogger<SipTransportHost> logger, ISipTransportObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Tls is not null && options.TlsServer is null)
        {
            throw new ArgumentException("A TLS endpoint needs TlsServer options (the certificate).", nameof(options));
        }

        if (options.PeerTls is not null && options.PeerTlsServer is null)
        {
            throw new ArgumentException("A peer TLS endpoint needs PeerTlsServer options (the certificate and the peer check).", nameof(options));
        }

        _options = options;
        _time = time;
        _logger = logger;
        _observer = observer ?? new NullSipTransportObserver();
    }

    public SipTransportCounters Counters { get; } = new();

    /// <summary>Open TCP and TLS connections, inbound and outbound.</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>The bound endpoint of a transport (with the real port when 0 was asked for); null when it is off.</summary>
    public IPEndPoint? EndPoint(SipTransportKind transport) => transport switch
    {
        SipTransportKind.Udp => _udp?.LocalEndPoint,
        SipTransportKind.Tcp => _tcp?.LocalEndPoint,
        SipTransportKind.Tls => _tls?.LocalEndPoint,
        _ => throw new ArgumentOutOfRangeException(nameof(transport), transport, "Unknown SIP transport."),
    };

    /// <summary>
    /// Binds every configured listener and starts receiving into <paramref name="handler"/> (the transaction layer,
    /// which needs this host to send: hence not a constructor argument). Throws SocketException when a port is taken.
    /// </summary>
    public void Start(ISipMessageHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (_services is not null)
        {
            throw new InvalidOperationException("The SIP transport host is already started.");
        }

        var services = new TransportServices(_options.Limits, _options.ParserLimits, _time, _logger, _observer, Counters, handler, _connections);
        try
        {
            if (_options.Udp is { } udp)
            {
                _udp = new SipUdpListener(services, udp);
            }

            if (_options.Tcp is { } tcp)
            {
                _tcp = new SipStreamListener(services, SipTransportKind.Tcp, tcp, null);
            }

            if (_options.Tls is { } tls)
            {
                var server = _options.TlsServer;
                _tls = new SipStreamListener(services, SipTransportKind.Tls, tls, _ => server!);
            }

            if (_options.PeerTls is { } peerTls)
            {
                _peerTls = new SipStreamListener(services, SipTransportKind.Tls, peerTls, _options.PeerTlsServer, peerAuthenticated: true);
            }
        }
        catch
        {
            _udp?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            _tcp?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            _tls?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }

        _services = services;
        _advertisedHost = _options.AdvertisedHost ?? DefaultHost();
        _udp?.Start();
        _tcp?.Start();
        _tls?.Start();
        _peerTls?.Start();
        foreach (var (kind, endPoint) in new[] { (SipTransportKind.Udp, _udp?.LocalEndPoint), (SipTransportKind.Tcp, _tcp?.LocalEndPoint), (SipTransportKind.Tls, _tls?.LocalEndPoint) })
        {
            if (endPoint is not null)
            {
                Log.Listening(_logger, kind, endPoint.ToString());
            }
        }

        if (_peerTls is not null)
        {
            Log.ListeningForPeers(_logger, _peerTls.LocalEndPoint.ToString());
        }

        var interval = _options.Limits.HeartbeatInterval;
        _heartbeat = _time.CreateTimer(static state => ((SipTransportHost)state!).OnHeartbeat(), this, interval, interval);
    }

    public string LocalHost(SipTransportKind transport) => _advertisedHost;

    /// <summary>
    /// The port to advertise (Via sent-by, Contact, Record-Route) for <paramref name="transport"/>: its listener's; for
    /// TLS without a client listener, the peer-auth listener's (a node that only talks TLS to the federation peer);
    /// the transport's default port only when nothing listens.
    /// </summary>
    public int LocalPort(SipTransportKind transport)
        => EndPoint(transport)?.Port ?? (transport == SipTransportKind.Tls ? PeerTlsEndPoint?.Port : null) ?? transport.DefaultPort();

    public async ValueTask SendAsync(SipMessage message, SipDestination destination, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(destination);
        var services = Started();
        if (destination.Transport == SipTransportKind.Udp)
        {
            var udp = _udp ?? throw new SipTransportException("UDP is not enabled on this node.");
            await udp.SendAsync(message, destination.EndPoint, null, ct).ConfigureAwait(false);
            return;
        }

        var connection = _connections.TryGetOpen(destination.Transport, destination.EndPoint, out var open)
            ? open
            : await ConnectAsync(services, destination, ct).ConfigureAwait(false);
        await connection.SendAsync(message, ct).ConfigureAwait(false);
    }

    public async ValueTask SendResponseAsync(SipResponse response, SipSource source, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(source);
        Started();
        if (source.Connection is { IsOpen: true } connection)
        {
            await connection.SendAsync(response, ct).ConfigureAwait(false);
            return;
        }

        var target = ReceivedStamp.ResponseTarget(response, source);
        if (source.Transport == SipTransportKind.Udp)
        {
            var udp = _udp ?? throw new SipTransportException("UDP is not enabled on this node.");
            var address = target.Equals(source.Remote) ? source.UdpAddress : null;
            await udp.SendAsync(response, target, address, ct).ConfigureAwait(false);
            return;
        }

        // RFC 3261 §18.2.2: the request's connection is gone; open one to received and the sent-by port.
        await SendAsync(response, new SipDestination(source.Transport, target), ct).ConfigureAwait(false);
    }

    /// <summary>Stops listening and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        if (_heartbeat is not null)
        {
            await _heartbeat.DisposeAsync().ConfigureAwait(false);
        }

        await StopPeerTlsAsync().ConfigureAwait(false);
        foreach (var listener in new IAsyncDisposable?[] { _udp, _tcp, _tls })
        {
            if (listener is not null)
            {
                await listener.DisposeAsync().ConfigureAwait(false);
            }
        }

        var closing = new List<Task>();
        foreach (var connection in _connections.All)
        {
            connection.Close(SipConnectionCloseReason.Shutdown);
            closing.Add(connection.Completion);
        }

        await Task.WhenAll(closing).ConfigureAwait(false);
    }

    private TransportServices Started()
    {
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        return _services ?? throw new InvalidOperationException("The SIP transport host is not started.");
    }

    private void OnHeartbeat()
    {
        var now = _time.GetTimestamp();
        foreach (var connection in _connections.All)
        {
            connection.OnHeartbeat(now);
        }
    }

    private string DefaultHost()
    {
        var bound = _udp?.LocalEndPoint ?? _tcp?.LocalEndPoint ?? _tls?.LocalEndPoint;
        if (bound is null || bound.Address.Equals(IPAddress.Any) || bound.Address.Equals(IPAddress.IPv6Any))
        {
            return Dns.GetHostName();
        }

        return Endpoints.Normalize(bound.Address).ToString();
    }
}
