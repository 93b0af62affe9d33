using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace Parley.Sip.Transport;

/// <summary>Outbound connections: one connect per endpoint at a time, shared by every sender waiting for it.</summary>
public sealed partial class SipTransportHost
{
    private async Task<SipStreamConnection> ConnectAsync(TransportServices services, SipDestination destination, CancellationToken ct)
    {
        var key = (destination.Transport, Endpoints.Normalize(destination.EndPoint));
        var mine = new TaskCompletionSource<SipStreamConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pending = _connecting.GetOrAdd(key, mine.Task);
        if (pending != mine.Task)
        {
            return await pending.WaitAsync(ct).ConfigureAwait(false);
        }

        try
        {
            // Connecting outlives the first caller's cancellation: others may be waiting on the same connection.
            var connection = await OpenAsync(services, destination).ConfigureAwait(false);
            mine.SetResult(connection);
            return connection;
        }
        catch (Exception ex)
        {
            mine.SetException(ex);
            _ = mine.Task.Exception; // observed here; waiters get it through their own await
            throw;
        }
        finally
        {
            _connecting.TryRemove(new KeyValuePair<(SipTransportKind, IPEndPoint), Task<SipStreamConnection>>(key, mine.Task));
        }
    }

    /// <summary>
    /// The specific address this host's listeners are bound to, when it can reach <paramref name="destination"/> (same
    /// family; a loopback address only towards loopback); null when bound to any address or to none.
    /// </summary>
    private IPAddress? OutboundSourceAddress(IPAddress destination)
    {
        var bound = (_options.Tcp ?? _options.Tls ?? _options.Udp)?.Address;
        return bound is null || bound.AddressFamily != destination.AddressFamily || bound.Equals(IPAddress.Any) || bound.Equals(IPAddress.IPv6Any)
               || (IPAddress.IsLoopback(bound) && !IPAddress.IsLoopback(destination))
            ? null
            : bound;
    }

    private async Task<SipStreamConnection> OpenAsync(TransportServices services, SipDestination destination)
    {
        if (_connections.Count >= services.Limits.MaxConnections)
        {
            throw new SipTransportException($"No connection to {destination.EndPoint}: {services.Limits.MaxConnections} connections are open.");
        }

        using var deadline = new CancellationTokenSource(services.Limits.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, _stopping.Token);
        var socket = new Socket(destination.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        Stream? stream = null;
        try
        {
            StreamSockets.Configure(socket);
            if (OutboundSourceAddress(destination.EndPoint.Address) is { } source)
            {
                // From the address the node listens on, not whichever the routing table picks: a peer's ACL and a
                // routing node's topology check see the node's configured address (as Kamailio's outbound sockets do).
                socket.Bind(new IPEndPoint(source, 0));
            }

            await socket.ConnectAsync(destination.EndPoint, linked.Token).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: true);
            SipStreamConnection connection;
            if (destination.Transport == SipTransportKind.Tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                var options = _options.TlsClient?.Invoke(destination)
                    ?? new SslClientAuthenticationOptions { TargetHost = destination.Host ?? destination.EndPoint.Address.ToString() };
                await ssl.AuthenticateAsClientAsync(options, linked.Token).ConfigureAwait(false);
                connection = new SipStreamConnection(services, socket, ssl, SipTransportKind.Tls, StreamSockets.PeerCertificate(ssl));
            }
            else
            {
                connection = new SipStreamConnection(services, socket, stream, SipTransportKind.Tcp, null);
            }

            services.Counters.Opened();
            StreamSockets.Run(services, connection);
            return connection;
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            socket.Dispose();
            Log.SendFailed(_logger, destination.EndPoint.ToString(), ex);
            _observer.OnTransportError(destination.Transport, destination.EndPoint, ex);
            var why = ex is OperationCanceledException ? "timed out" : ex.Message;
            throw new SipTransportException($"Could not connect to {destination.Transport} {destination.EndPoint}: {why}", ex) { ReportedToObserver = true };
        }
    }
}
