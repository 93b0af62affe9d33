using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Parley.Server.Diagnostics;
using Parley.Xmpp.Streams;

namespace Parley.Server.Xmpp.C2s;

/// <summary>Accepts XMPP client connections on one endpoint (RFC 6120 c2s, port 5222 by default).</summary>
public sealed class C2sListener(C2sServices services, IPEndPoint endPoint) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<C2sConnection, Task> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _socket;
    private Task? _acceptLoop;

    public IPEndPoint EndPoint { get; private set; } = endPoint;

    public int ConnectionCount => _connections.Count;

    /// <summary>Binds and listens. Throws <see cref="SocketException"/> (e.g. AddressAlreadyInUse) for the caller to explain.</summary>
    public void Start()
    {
        var socket = new Socket(EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (EndPoint.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = true;
            }

            socket.Bind(EndPoint);
            socket.Listen(1024);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket = socket;
        EndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync(socket);
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // A connection reset before accept; the listener itself is fine.
            }

            if (_connections.Count >= services.Options.MaxConnections)
            {
                services.Events.Raise(ParleyEvents.Limits.TooManyConnections, client.RemoteEndPoint?.ToString() ?? "unknown", _connections.Count, services.Options.MaxConnections);
                client.Dispose();
                continue;
            }

            client.NoDelay = true;
            var connection = new C2sConnection(services, client);
            _connections[connection] = RunAsync(connection);
        }
    }

    private async Task RunAsync(C2sConnection connection)
    {
        await Task.Yield();
        try
        {
            await connection.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(connection, out _);
        }
    }

    /// <summary>Stops accepting, tells every client the server is shutting down, and waits (bounded) for them to go.</summary>
    public async Task StopAsync(TimeSpan deadline)
    {
        services.Terminations.BeginStopping();
        _stopping.Cancel();
        _socket?.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        foreach (var connection in _connections.Keys)
        {
            connection.Close(XmppStreamErrorReason.SystemShutdown, "The server is shutting down.");
        }

        try
        {
            await Task.WhenAll(_connections.Values).WaitAsync(deadline).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        // Sessions waiting for XEP-0198 resumption end now, so their unacknowledged messages reach offline storage.
        foreach (var session in services.Registry.AllSessions.ToArray())
        {
            if (session.IsDetached && !session.IsTerminated)
            {
                services.Terminations.Track(C2sConnection.TerminateSessionAsync(services, session));
            }
        }

        await services.Terminations.WhenAllAsync(deadline).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        _stopping.Dispose();
    }
}
