using System.Collections.Concurrent;
using System.Net;

namespace Parley.Sip.Transport;

/// <summary>
/// Open stream connections by transport and remote endpoint, so requests to a peer reuse the connection it opened
/// (RFC 3261 §18.1.1, RFC 5626 flows). The newest connection to an endpoint wins.
/// </summary>
internal sealed class ConnectionTable
{
    private readonly ConcurrentDictionary<(SipTransportKind, IPEndPoint), SipStreamConnection> _byRemote = new();
    private readonly ConcurrentDictionary<SipStreamConnection, byte> _all = new();
    private readonly ConcurrentDictionary<IPAddress, int> _perAddress = new();
    private int _handshaking;

    /// <summary>Open connections plus TLS handshakes in progress: both hold a socket.</summary>
    public int Count => _all.Count + Volatile.Read(ref _handshaking);

    /// <summary>Open connections with this peer address (many clients may share one NAT address, so the limit is loose).</summary>
    public int CountFrom(IPAddress address) => _perAddress.TryGetValue(Endpoints.Normalize(address), out var count) ? count : 0;

    /// <summary>Counts a TLS handshake against the limit until <see cref="EndHandshake"/>.</summary>
    public void BeginHandshake() => Interlocked.Increment(ref _handshaking);

    public void EndHandshake() => Interlocked.Decrement(ref _handshaking);

    public IEnumerable<SipStreamConnection> All => _all.Keys;

    public bool TryGetOpen(SipTransportKind transport, IPEndPoint remote, out SipStreamConnection connection)
    {
        if (_byRemote.TryGetValue((transport, Endpoints.Normalize(remote)), out var found) && found.IsOpen)
        {
            connection = found;
            return true;
        }

        connection = null!;
        return false;
    }

    public void Add(SipStreamConnection connection)
    {
        if (_all.TryAdd(connection, 0))
        {
            _perAddress.AddOrUpdate(connection.Remote.Address, 1, static (_, count) => count + 1);
        }

        _byRemote[(connection.Transport, connection.Remote)] = connection;
    }

    public void Remove(SipStreamConnection connection)
    {
        if (_all.TryRemove(connection, out _))
        {
            var address = connection.Remote.Address;
            while (_perAddress.TryGetValue(address, out var count)
                && !(count <= 1 ? _perAddress.TryRemove(new KeyValuePair<IPAddress, int>(address, count)) : _perAddress.TryUpdate(address, count - 1, count)))
            {
                // Raced with another add or remove for the same address: retry.
            }
        }

        _byRemote.TryRemove(new KeyValuePair<(SipTransportKind, IPEndPoint), SipStreamConnection>((connection.Transport, connection.Remote), connection));
    }
}
