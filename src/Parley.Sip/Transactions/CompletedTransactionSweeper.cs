namespace Parley.Sip.Transactions;

/// <summary>
/// Ends completed non-INVITE transactions over UDP when their absorption time is up (timer J on the server side,
/// timer K on the client side). Every such transaction waits the same time, so one FIFO per duration is already in
/// due order and a single periodic sweep replaces a runtime timer per transaction: at 1,500 requests/s, per-transaction
/// timers meant thousands of timer firings and thread-pool wake-ups a second and kept every timer alive for 32 s.
/// The sweep runs every T1/2, so a transaction may outlive its timer by that much, which RFC 3261 allows (the
/// timers are lower bounds on how long retransmissions are absorbed).
/// </summary>
internal sealed class CompletedTransactionSweeper : IDisposable
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _period;
    private readonly Lock _gate = new();
    private readonly ExpiryQueue<(TransactionKey Key, AbsorbedRequest Entry)> _server;
    private readonly ExpiryQueue<ClientTransaction> _client;
    private readonly Action<TransactionKey, AbsorbedRequest> _expireServer;
    private ITimer? _timer;
    private bool _disposed;

    public CompletedTransactionSweeper(TimeProvider time, SipTimers timers, Action<TransactionKey, AbsorbedRequest> expireServer)
    {
        _time = time;
        _period = timers.T1 / 2;
        _server = new(timers.TransactionTimeout);
        _client = new(timers.T4);
        _expireServer = expireServer;
    }

    /// <summary>Timer J: the absorbed request is forgotten after 64*T1.</summary>
    public void AfterTimerJ(TransactionKey key, AbsorbedRequest entry) => Add(_server, (key, entry));

    /// <summary>Timer K: the completed client transaction is terminated after T4.</summary>
    public void AfterTimerK(ClientTransaction transaction) => Add(_client, transaction);

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
        }
    }

    private void Add<T>(ExpiryQueue<T> queue, T item)
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            queue.Enqueue(now, item);
            _timer ??= _time.CreateTimer(static state => ((CompletedTransactionSweeper)state!).Sweep(), this, _period, _period);
        }
    }

    private void Sweep()
    {
        var now = _time.GetTimestamp();
        List<(TransactionKey Key, AbsorbedRequest Entry)>? servers = null;
        List<ClientTransaction>? clients = null;
        lock (_gate)
        {
            _server.TakeDue(_time, now, ref servers);
            _client.TakeDue(_time, now, ref clients);
        }

        // Outside the lock: ending a client transaction takes its own lock.
        foreach (var (key, entry) in servers ?? [])
        {
            _expireServer(key, entry);
        }

        foreach (var transaction in clients ?? [])
        {
            transaction.Terminate();
        }
    }

    private sealed class ExpiryQueue<T>(TimeSpan lifetime)
    {
        private readonly Queue<(long Since, T Item)> _entries = new();

        public void Enqueue(long now, T item) => _entries.Enqueue((now, item));

        public void TakeDue(TimeProvider time, long now, ref List<T>? due)
        {
            while (_entries.TryPeek(out var head) && time.GetElapsedTime(head.Since, now) >= lifetime)
            {
                _entries.Dequeue();
                (due ??= []).Add(head.Item);
            }
        }
    }
}
