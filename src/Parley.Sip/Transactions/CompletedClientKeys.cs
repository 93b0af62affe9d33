namespace Parley.Sip.Transactions;

/// <summary>
/// Timer K (RFC 3261 §17.1.2.2): what is left of completed non-INVITE client transactions over UDP, so retransmitted
/// final responses are discarded for T4 instead of being treated as stray. The transaction itself ends as soon as its
/// final response arrives; only its key's 64-bit hash is kept, in a dictionary and a FIFO of unmanaged values that the
/// garbage collector never has to scan (keeping whole transactions, with their requests, responses and timers, for
/// 5 s cost a gen2 collection every few seconds under load). Every key lives the same time, so the layer's periodic
/// sweep expires them from the head of the FIFO.
/// </summary>
/// <remarks>
/// A hash collision only means that an unrelated response matching no transaction is discarded quietly instead of
/// being logged as stray (INVITE 2xx strays, which go to the TU, are matched before this set is asked).
/// </remarks>
internal sealed class CompletedClientKeys
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;
    private readonly Func<TransactionKey, ulong> _hash;
    private readonly Lock _gate = new();
    private readonly Dictionary<ulong, long> _sinceByHash = [];
    private readonly Queue<(long Since, ulong Hash)> _order = new();

    public CompletedClientKeys(TimeProvider time, TimeSpan lifetime)
        : this(time, lifetime, new TransactionKeyHash().Of)
    {
    }

    /// <summary>Tests choose the hash (to force collisions).</summary>
    internal CompletedClientKeys(TimeProvider time, TimeSpan lifetime, Func<TransactionKey, ulong> hash)
    {
        _time = time;
        _lifetime = lifetime;
        _hash = hash;
    }

    /// <summary>Completed transactions still absorbing retransmitted finals.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _sinceByHash.Count;
            }
        }
    }

    public void Add(TransactionKey key)
    {
        var hash = _hash(key);
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            _sinceByHash[hash] = now;
            _order.Enqueue((now, hash));
        }
    }

    public bool Contains(TransactionKey key)
    {
        var hash = _hash(key);
        lock (_gate)
        {
            return _sinceByHash.ContainsKey(hash);
        }
    }

    /// <summary>Forgets the keys kept for T4, oldest first.</summary>
    public void ExpireDue()
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            while (_order.TryPeek(out var head) && _time.GetElapsedTime(head.Since, now) >= _lifetime)
            {
                _order.Dequeue();

                // A later add of the same hash keeps it until its own time is up.
                if (_sinceByHash.TryGetValue(head.Hash, out var since) && since == head.Since)
                {
                    _sinceByHash.Remove(head.Hash);
                }
            }
        }
    }
}
