using System.Collections.Concurrent;

namespace Parley.Server.Xmpp.C2s;

/// <summary>
/// Session endings still running (unavailable presence, unacknowledged messages going to offline storage), so
/// shutdown can wait for them instead of losing those messages with the process.
/// </summary>
public sealed class SessionTerminations
{
    private readonly ConcurrentDictionary<Task, byte> _running = new();

    /// <summary>Set when the node stops: sessions then end at once instead of waiting for XEP-0198 resumption.</summary>
    public bool Stopping { get; private set; }

    public void Track(Task termination)
    {
        _running.TryAdd(termination, 0);
        termination.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public void BeginStopping() => Stopping = true;

    public async Task WhenAllAsync(TimeSpan deadline)
    {
        try
        {
            await Task.WhenAll(_running.Keys).WaitAsync(deadline).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }
}
