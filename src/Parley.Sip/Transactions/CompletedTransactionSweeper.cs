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
    private readonly ExpiryQueue _server;
    private readonly ExpiryQueue _client;
    private ITimer? _timer;
    private bool _disposed;

    public CompletedTransactionSweeper(TimeProvider time, SipTimers timers)
    {
        _time = time;
        _period = timers.T1 / 2;
        _server = new ExpiryQueue(timers.TransactionTimeout);
        _client = new ExpiryQueue(timers.T4);
    }

    /// <summary>Timer J: the completed server transaction is terminated after 64*T1.</summary>
    public void AfterTimerJ(ServerTransaction transaction) => Add(_server, transaction.Terminate);

    /// <summary>Timer K: the completed client transaction is terminated after T4.</summary>
    public void AfterTimerK(ClientTransaction transaction) => Add(_client, transaction.Terminate);

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
        }
    }

    private void Add(ExpiryQueue queue, Action terminate)
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            queue.Enqueue(now, terminate);
            _timer ??= _time.CreateTimer(static state => ((CompletedTransactionSweeper)state!).Sweep(), this, _period, _period);
        }
    }

    private void Sweep()
    {
        var now = _time.GetTimestamp();
        List<Action>? due = null;
        lock (_gate)
        {
            _server.TakeDue(_time, now, ref due);
            _client.TakeDue(_time, now, ref due);
        }

        // Outside the lock: terminating takes each transaction's own lock.
        if (due is not null)
        {
            foreach (var terminate in due)
            {
                terminate();
            }
        }
    }

    private sealed class ExpiryQueue(TimeSpan lifetime)
    {
        private readonly Queue<(long Since, Action Terminate)> _entries = new();

        public void Enqueue(long now, Action terminate) => _entries.Enqueue((now, terminate));

        public void TakeDue(TimeProvider time, long now, ref List<Action>? due)
        {
            while (_entries.TryPeek(out var head) && time.GetElapsedTime(head.Since, now) >= lifetime)
            {
                _entries.Dequeue();
                (due ??= []).Add(head.Terminate);
            }
        }
    }
}
