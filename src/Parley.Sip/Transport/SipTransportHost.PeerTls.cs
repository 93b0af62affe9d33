using System.Net;
using System.Net.Security;

namespace Parley.Sip.Transport;

/// <summary>
/// The peer-auth TLS listener (mutual TLS for federation peers): bound at start from <see cref="SipTransportHostOptions.PeerTls"/>,
/// or later, and closed or moved while the host runs, because the deployment configuration that names it changes
/// without a restart. Connections already accepted on it stay open.
/// </summary>
public sealed partial class SipTransportHost
{
    private readonly SemaphoreSlim _peerTlsGate = new(1, 1);
    private SipStreamListener? _peerTls;

    /// <summary>The bound peer-auth TLS endpoint; null when there is none.</summary>
    public IPEndPoint? PeerTlsEndPoint => Volatile.Read(ref _peerTls)?.LocalEndPoint;

    /// <summary>
    /// Binds the peer-auth TLS listener on <paramref name="endPoint"/> with <paramref name="options"/> per connection
    /// (client certificate required, validated by its callback), closing the one bound before. Returns the bound endpoint;
    /// throws <see cref="System.Net.Sockets.SocketException"/> when the port is taken (no peer listener is left then).
    /// </summary>
    public async ValueTask<IPEndPoint> StartPeerTlsAsync(IPEndPoint endPoint, Func<IPEndPoint, SslServerAuthenticationOptions> options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(options);
        var services = Started();
        await _peerTlsGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await ClosePeerTlsAsync().ConfigureAwait(false);
            var listener = new SipStreamListener(services, SipTransportKind.Tls, endPoint, options, peerAuthenticated: true);
            Volatile.Write(ref _peerTls, listener);
            listener.Start();
            Log.ListeningForPeers(_logger, listener.LocalEndPoint.ToString());
            return listener.LocalEndPoint;
        }
        finally
        {
            _peerTlsGate.Release();
        }
    }

    /// <summary>Closes the peer-auth TLS listener, if any.</summary>
    public async ValueTask StopPeerTlsAsync()
    {
        await _peerTlsGate.WaitAsync().ConfigureAwait(false);
        try
        {
            await ClosePeerTlsAsync().ConfigureAwait(false);
        }
        finally
        {
            _peerTlsGate.Release();
        }
    }

    private async ValueTask ClosePeerTlsAsync()
    {
        if (Interlocked.Exchange(ref _peerTls, null) is { } listener)
        {
            await listener.DisposeAsync().ConfigureAwait(false);
            Log.PeerListenerClosed(_logger, listener.LocalEndPoint.ToString());
        }
    }
}
