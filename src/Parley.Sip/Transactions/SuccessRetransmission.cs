using Parley.Sip.Messages;
using Parley.Sip.Transport;

namespace Parley.Sip.Transactions;

/// <summary>
/// For a UAS core (RFC 3261 §13.3.1.4): resends a 2xx to an INVITE at T1, doubling up to T2, until the dialog's ACK
/// arrives (<see cref="Acknowledge"/>) or 64*T1 passes, when <see cref="Completion"/> resolves false and the TU
/// should end the session with BYE. Sent over every transport: proxies on the path may use UDP.
/// </summary>
public sealed class SuccessRetransmission : IDisposable
{
    private readonly ISipTransport _transport;
    private readonly SipResponse _response;
    private readonly SipSource _source;
    private readonly SipTimers _timers;
    private readonly Lock _gate = new();
    private readonly ITimer _retransmit;
    private readonly ITimer _giveUp;
    private readonly TaskCompletionSource<bool> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TimeSpan _interval;

    /// <summary>Starts retransmitting (the first send is the caller's, through the transaction).</summary>
    public SuccessRetransmission(ISipTransport transport, SipResponse response, SipSource source, SipTimers timers, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!response.IsSuccess)
        {
            throw new ArgumentException("Only a 2xx is retransmitted by the UAS core.", nameof(response));
        }

        _transport = transport;
        _response = response;
        _source = source;
        _timers = timers;
        _interval = timers.T1;
        _retransmit = time.CreateTimer(static s => ((SuccessRetransmission)s!).OnRetransmit(), this, _interval, Timeout.InfiniteTimeSpan);
        _giveUp = time.CreateTimer(static s => ((SuccessRetransmission)s!).Finish(false), this, timers.TransactionTimeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>True when acknowledged, false when 64*T1 passed without an ACK.</summary>
    public Task<bool> Completion => _completion.Task;

    public int Retransmissions { get; private set; }

    /// <summary>The ACK for this 2xx arrived: stop.</summary>
    public void Acknowledge() => Finish(true);

    public void Dispose() => Finish(false);

    private void OnRetransmit()
    {
        lock (_gate)
        {
            if (_completion.Task.IsCompleted)
            {
                return;
            }

            Retransmissions++;
            _interval = _interval * 2 < _timers.T2 ? _interval * 2 : _timers.T2;
            _retransmit.Change(_interval, Timeout.InfiniteTimeSpan);
        }

        _ = SendAsync();
    }

    private async Task SendAsync()
    {
        try
        {
            await _transport.SendResponseAsync(_response, _source, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (TransactionLayer.IsTransportFailure(ex))
        {
            // The next retransmission or the give-up timer settles it.
        }
    }

    private void Finish(bool acknowledged)
    {
        lock (_gate)
        {
            if (!_completion.TrySetResult(acknowledged))
            {
                return;
            }

            _retransmit.Dispose();
            _giveUp.Dispose();
        }
    }
}
