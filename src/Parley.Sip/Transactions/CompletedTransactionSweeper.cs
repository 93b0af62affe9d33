namespace Parley.Sip.Transactions;

/// <summary>
/// Ends the absorption of retransmissions by completed non-INVITE transactions over UDP when its time is up: timer J
/// on the server side (<see cref="AbsorbedResponses"/>), timer K on the client side (<see cref="CompletedClientKeys"/>).
/// Every entry of a store waits the same time, so each store is already in due order and a single periodic sweep
/// replaces a runtime timer per transaction: at 1,500 requests/s, per-transaction timers meant thousands of timer
/// firings and thread-pool wake-ups a second and kept every timer alive for 32 s. The sweep runs every T1/2 from the
/// first absorption on, so an entry may outlive its timer by that much, which RFC 3261 allows (the timers are lower
/// bounds on how long retransmissions are absorbed).
/// </summary>
internal sealed class CompletedTransactionSweeper(TimeProvider time, SipTimers timers, AbsorbedResponses server, CompletedClientKeys client) : IDisposable
{
    private readonly TimeSpan _period = timers.T1 / 2;
    private readonly Lock _gate = new();
    private volatile ITimer? _timer;
    private bool _disposed;

    /// <summary>Starts the periodic sweep if it is not running yet (called after each absorption).</summary>
    public void EnsureRunning()
    {
        if (_timer is not null)
        {
            return;
        }

        lock (_gate)
        {
            if (!_disposed)
            {
                _timer ??= time.CreateTimer(static state => ((CompletedTransactionSweeper)state!).Sweep(), this, _period, _period);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
        }
    }

    private void Sweep()
    {
        server.ExpireDue();
        client.ExpireDue();
    }
}
