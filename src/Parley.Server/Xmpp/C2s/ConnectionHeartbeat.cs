using System.Collections.Concurrent;

namespace Parley.Server.Xmpp.C2s;

/// <summary>
/// One timer for all connections (as Kestrel's heartbeat): each tick lets every connection check its own deadline,
/// instead of a timer per connection.
/// </summary>
public sealed class ConnectionHeartbeat : IDisposable
{
    private readonly ConcurrentDictionary<IHeartbeatClient, byte> _clients = new();
    private readonly ITimer _timer;

    public ConnectionHeartbeat(TimeProvider time)
    {
        Time = time;
        _timer = time.CreateTimer(_ => Tick(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public TimeProvider Time { get; }

    public void Register(IHeartbeatClient client) => _clients.TryAdd(client, 0);

    public void Unregister(IHeartbeatClient client) => _clients.TryRemove(client, out _);

    public void Dispose() => _timer.Dispose();

    private void Tick()
    {
        var now = Time.GetUtcNow();
        foreach (var client in _clients.Keys)
        {
            client.OnHeartbeat(now);
        }
    }
}

public interface IHeartbeatClient
{
    void OnHeartbeat(DateTimeOffset now);
}
