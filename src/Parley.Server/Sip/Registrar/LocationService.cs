using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Parley.Server.Sessions;
using Parley.Server.Sip.Core;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Sip.Registrar;

/// <summary>
/// The location service of RFC 3261 §10: the current bindings of every user, in memory for routing and persisted
/// through <see cref="ILocationStore"/> on every change (so a restart keeps them). One timer removes expired bindings.
/// Changes for one user are serialised; readers see whole binding sets.
/// </summary>
public sealed class LocationService : IAsyncDisposable
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    private readonly ILocationStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<LocationService> _logger;
    private readonly UserLocks _locks = new();
    private readonly ConcurrentDictionary<Jid, Binding[]> _bindings = new();
    private readonly PriorityQueue<Jid, DateTimeOffset> _expiries = new();
    private ITimer? _timer;
    private int _sweeping;

    public LocationService(ILocationStore store, TimeProvider time, ILogger<LocationService> logger)
    {
        _store = store;
        _time = time;
        _logger = logger;
    }

    /// <summary>Raised after bindings of a user expired and were removed (not for changes made through <see cref="UpdateAsync{T}"/>).</summary>
    public event Action<Jid>? Expired;

    /// <summary>Users with at least one binding.</summary>
    public IEnumerable<Jid> RegisteredUsers => _bindings.Keys;

    /// <summary>Loads the persisted unexpired bindings and starts the expiry timer. Returns the users loaded.</summary>
    public async Task<IReadOnlyList<Jid>> StartAsync(CancellationToken cancellationToken)
    {
        var loaded = await _store.LoadAsync(_time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        foreach (var group in loaded.GroupBy(binding => binding.User))
        {
            var set = group.ToArray();
            _bindings[group.Key] = set;
            Schedule(group.Key, set);
        }

        _timer = _time.CreateTimer(_ => _ = SweepAsync(), null, SweepInterval, SweepInterval);
        return [.. _bindings.Keys];
    }

    /// <summary>The user's unexpired bindings, highest q first (RFC 3261 §16.6: try contacts in q order).</summary>
    public IReadOnlyList<Binding> GetBindings(Jid user)
    {
        if (!_bindings.TryGetValue(user.Bare, out var set))
        {
            return [];
        }

        var now = _time.GetUtcNow();
        return [.. set.Where(binding => binding.Expires > now).OrderByDescending(binding => binding.Q ?? 1.0)];
    }

    /// <summary>
    /// Changes the user's bindings under their lock: <paramref name="change"/> gets the current unexpired set and
    /// returns the new one (null = no change) and a result. A new set is persisted before it becomes visible.
    /// </summary>
    public async Task<T> UpdateAsync<T>(Jid user, Func<IReadOnlyList<Binding>, (IReadOnlyList<Binding>? NewSet, T Result)> change, CancellationToken cancellationToken)
    {
        var bare = user.Bare;
        using (await _locks.AcquireAsync(bare, cancellationToken).ConfigureAwait(false))
        {
            var (newSet, result) = change(GetBindings(bare));
            if (newSet is not null)
            {
                await _store.ReplaceAsync(bare, newSet, cancellationToken).ConfigureAwait(false);
                Apply(bare, [.. newSet]);
            }

            return result;
        }
    }

    public ValueTask DisposeAsync()
    {
        _timer?.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Apply(Jid user, Binding[] set)
    {
        if (set.Length == 0)
        {
            _bindings.TryRemove(user, out _);
            return;
        }

        _bindings[user] = set;
        Schedule(user, set);
    }

    private void Schedule(Jid user, Binding[] set)
    {
        lock (_expiries)
        {
            _expiries.Enqueue(user, set.Min(binding => binding.Expires));
        }
    }

    private async Task SweepAsync()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return;
        }

        try
        {
            var now = _time.GetUtcNow();
            var due = new HashSet<Jid>();
            lock (_expiries)
            {
                while (_expiries.TryPeek(out var user, out var at) && at <= now)
                {
                    _expiries.Dequeue();
                    due.Add(user);
                }
            }

            foreach (var user in due)
            {
                // The queue may hold an older entry for a user who re-registered since: only real expiries change anything.
                var removed = await UpdateAsync(user, current =>
                {
                    var stored = _bindings.GetValueOrDefault(user) ?? [];
                    return current.Count == stored.Length ? ((IReadOnlyList<Binding>?)null, false) : (current, true);
                }, CancellationToken.None).ConfigureAwait(false);
                if (removed)
                {
                    SipLog.BindingsExpired(_logger, user.ToString());
                    Expired?.Invoke(user);
                }
            }
        }
        catch (Exception ex)
        {
            SipLog.SweepFailed(_logger, ex);
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }
}
