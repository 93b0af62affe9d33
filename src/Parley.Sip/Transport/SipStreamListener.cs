using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Parley.Sip.Transport;

/// <summary>Accepts TCP or TLS connections on one endpoint, enforcing the connection limit and the TLS handshake deadline.</summary>
internal sealed class SipStreamListener : IAsyncDisposable
{
    private readonly TransportServices _services;
    private readonly SipTransportKind _transport;
    private readonly Func<IPEndPoint, SslServerAuthenticationOptions>? _tls;
    private readonly bool _peerAuthenticated;
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stopping = new();
    private Task _acceptLoop = Task.CompletedTask;

    public SipStreamListener(TransportServices services, SipTransportKind transport, IPEndPoint endPoint, Func<IPEndPoint, SslServerAuthenticationOptions>? tls, bool peerAuthenticated = false)
    {
        _services = services;
        _transport = transport;
        _tls = tls;
        _peerAuthenticated = peerAuthenticated;
        _socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
            {
                _socket.DualMode = true;
            }

            _socket.Bind(endPoint);
            _socket.Listen(1024);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }

        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public void Start() => _acceptLoop = Task.Run(AcceptLoopAsync);

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _socket.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // Reset before accept; the listener is fine.
            }

            var remote = client.RemoteEndPoint as IPEndPoint;
            if (_services.Connections.Count >= _services.Limits.MaxConnections
                || (remote is not null && _services.Connections.CountFrom(remote.Address) >= _services.Limits.MaxConnectionsPerAddress))
            {
                _services.Counters.Refused();
                Log.TooManyConnections(_services.Logger, _transport, remote?.ToString() ?? "unknown", _services.Limits.MaxConnections);
                client.Dispose();
                continue;
            }

            _services.Counters.Accepted();
            StreamSockets.Configure(client);
            if (_tls is null)
            {
                StreamSockets.Run(_services, new SipStreamConnection(_services, client, new NetworkStream(client, ownsSocket: true), _transport, null));
            }
            else
            {
                _ = HandshakeAsync(client, _tls, remote is null ? new IPEndPoint(IPAddress.None, 0) : Endpoints.Normalize(remote), token);
            }
        }
    }

    private async Task HandshakeAsync(Socket client, Func<IPEndPoint, SslServerAuthenticationOptions> optionsFor, IPEndPoint remote, CancellationToken stopping)
    {
        var ssl = new SslStream(new NetworkStream(client, ownsSocket: true), leaveInnerStreamOpen: false);
        _services.Connections.BeginHandshake(); // slow handshakes hold sockets too: they count against the limit
        try
        {
            using var deadline = new CancellationTokenSource(_services.Limits.TlsHandshakeTimeout, _services.Time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, stopping);
            // Made here, inside the try: options that cannot be made fail this handshake, not the accept loop.
            await ssl.AuthenticateAsServerAsync(optionsFor(remote), linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.TlsHandshakeFailed(_services.Logger, client.RemoteEndPoint?.ToString() ?? "unknown", ex);
            _services.Counters.Closed(SipConnectionCloseReason.TlsHandshakeFailed);
            await ssl.DisposeAsync().ConfigureAwait(false);
            return;
        }
        finally
        {
            _services.Connections.EndHandshake();
        }

        StreamSockets.Run(_services, new SipStreamConnection(_services, client, ssl, _transport, StreamSockets.PeerCertificate(ssl), _peerAuthenticated));
    }
}

/// <summary>Socket settings and start-up shared by accepted and outbound connections.</summary>
internal static class StreamSockets
{
    /// <summary>No Nagle (requests are small and latency matters); TCP keep-alive so half-open peers are found even when idle.</summary>
    public static void Configure(Socket socket)
    {
        socket.NoDelay = true;
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, 60);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, 10);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 3);
    }

    public static void Run(TransportServices services, SipStreamConnection connection)
    {
        services.Connections.Add(connection);
        connection.Start();
    }

    public static X509Certificate2? PeerCertificate(SslStream ssl) => ssl.RemoteCertificate switch
    {
        null => null,
        X509Certificate2 certificate => certificate,
        var other => X509CertificateLoader.LoadCertificate(other.GetRawCertData()),
    };
}
