namespace Parley.Sip.Transactions;

/// <summary>
/// One re-armable one-shot timer from the injected <see cref="TimeProvider"/>, created on first use (a non-INVITE
/// over TCP never needs one) and re-armed rather than reallocated; the runtime's timer queue scales to many
/// thousands. Callers serialise Start/Stop/Dispose under their transaction's lock. The callback is a static lambda
/// given its <paramref name="owner"/>, so a transaction's timers cost no delegate each (thousands of transactions a second).
/// </summary>
internal sealed class TransactionTimer(TimeProvider time, Action<object> callback, object owner)
{
    private ITimer? _timer;
    private bool _disposed;

    public void Start(TimeSpan due)
    {
        if (_disposed)
        {
            return;
        }

        if (_timer is null)
        {
            _timer = time.CreateTimer(static state => ((TransactionTimer)state!).Fire(), this, due, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private void Fire() => callback(owner);

    public void Stop() => _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    public void Dispose()
    {
        _disposed = true;
        _timer?.Dispose();
        _timer = null; // a completed transaction may stay reachable for 32 s; the runtime timer need not
    }
}
