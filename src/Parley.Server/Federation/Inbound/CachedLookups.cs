using System.Collections.Concurrent;

namespace Parley.Server.Federation.Inbound;

/// <summary>
/// Results of a slow lookup (DNS) by key: one lookup at a time per key, shared by every caller that asks meanwhile;
/// an answer kept for <see cref="InboundFederationOptions.DnsCacheTime"/>, a failure or timeout (the fallback value)
/// for <see cref="InboundFederationOptions.DnsNegativeCacheTime"/>. Each lookup is bounded by
/// <see cref="InboundFederationOptions.DnsTimeout"/>, so a resolver that hangs (the seed's 20 s PTR stall) costs each
/// source at most that once a minute. Bounded: cleared when it grows too large.
/// </summary>
internal sealed class CachedLookups<TKey, TValue>(
    Func<TKey, CancellationToken, Task<TValue>> lookup, TValue fallback, Func<TValue, bool> found, InboundFederationOptions options, TimeProvider time)
    where TKey : notnull
{
    private const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<TKey, Slot> _slots = new();

    public Task<TValue> GetAsync(TKey key)
    {
        while (true)
        {
            var now = time.GetUtcNow();
            if (_slots.TryGetValue(key, out var slot))
            {
                if (!slot.IsExpired(now))
                {
                    return slot.Result;
                }

                var renewed = new Slot();
                if (_slots.TryUpdate(key, renewed, slot))
                {
                    return renewed.Start(this, key);
                }

                continue;
            }

            if (_slots.Count >= MaxEntries)
            {
                _slots.Clear();
            }

            var created = new Slot();
            if (_slots.TryAdd(key, created))
            {
                return created.Start(this, key);
            }
        }
    }

    private async Task LookUpAsync(TKey key, Slot slot)
    {
        TValue value;
        using var timeout = new CancellationTokenSource(options.DnsTimeout, time);
        try
        {
            value = await lookup(key, timeout.Token).WaitAsync(options.DnsTimeout, time).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Timed out, no such name, no PTR, resolver down: all count as "no match" until the negative entry expires.
            value = fallback;
        }

        slot.Complete(value, time.GetUtcNow() + (found(value) ? options.DnsCacheTime : options.DnsNegativeCacheTime));
    }

    private sealed class Slot
    {
        // Callers waiting for the shared lookup resume off the resolver's thread.
        private readonly TaskCompletionSource<TValue> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _expiresAtTicks = long.MaxValue; // in flight: never expired

        public Task<TValue> Result => _result.Task;

        public bool IsExpired(DateTimeOffset now) => Volatile.Read(ref _expiresAtTicks) <= now.UtcTicks;

        public Task<TValue> Start(CachedLookups<TKey, TValue> owner, TKey key)
        {
            _ = owner.LookUpAsync(key, this);
            return Result;
        }

        public void Complete(TValue value, DateTimeOffset expiresAt)
        {
            Volatile.Write(ref _expiresAtTicks, expiresAt.UtcTicks);
            _result.TrySetResult(value);
        }
    }
}
