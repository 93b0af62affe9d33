using Parley.Sip.Messages;
using Parley.Sip.Transport;

namespace Parley.Sip.Transactions;

/// <summary>
/// A client transaction (RFC 3261 §17.1): INVITE (Calling → Proceeding → Completed, timers A, B, D, with the ACK for a
/// non-2xx sent here; Accepted with timer M after a 2xx, RFC 6026) or non-INVITE (Trying → Proceeding → Completed,
/// timers E, F, K). <see cref="Completion"/> resolves with the first final response, a synthesized 408 when timer
/// B/F fires, or a synthesized 503 when the transport fails. A non-INVITE over UDP spends its Completed state (timer K)
/// as its key in the layer's <see cref="CompletedClientKeys"/>, which discards retransmitted finals, and reports
/// Terminated as soon as its final response arrives.
/// </summary>
public sealed class ClientTransaction
{
    private readonly TransactionLayer _layer;
    private readonly Lock _gate = new();
    private readonly TransactionTimer _retransmit;
    private readonly TransactionTimer _timeout;
    private readonly TaskCompletionSource<SipResponse> _completion = new();
    private readonly Action<SipResponse>? _onProvisional;
    private TimeSpan _interval;
    private SipRequest? _ack;

    internal ClientTransaction(TransactionLayer layer, TransactionKey key, SipRequest request, SipDestination destination, Action<SipResponse>? onProvisional)
    {
        _layer = layer;
        Key = key;
        Request = request;
        Destination = destination;
        IsInvite = request.Method == SipMethods.Invite;
        State = IsInvite ? TransactionState.Calling : TransactionState.Trying;
        _onProvisional = onProvisional;
        _retransmit = new TransactionTimer(layer.Time, static owner => ((ClientTransaction)owner).OnRetransmitTimer(), this);
        _timeout = new TransactionTimer(layer.Time, static owner => ((ClientTransaction)owner).OnTimeoutTimer(), this);
    }

    public SipRequest Request { get; }

    public SipDestination Destination { get; }

    public bool IsInvite { get; }

    public TransactionKey Key { get; }

    public TransactionState State { get; private set; }

    /// <summary>Times the request was sent again by timer A or E (for tests and metrics).</summary>
    public int Retransmissions { get; private set; }

    public Task<SipResponse> Completion => _completion.Task;

    private bool Reliable => Destination.Transport.IsReliable();

    private SipTimers Timers => _layer.Timers;

    /// <summary>Sends the request and arms the timers.</summary>
    internal async Task StartAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            if (State == TransactionState.Terminated)
            {
                return; // abandoned before it started
            }

            if (!Reliable)
            {
                _interval = Timers.T1;
                _retransmit.Start(_interval); // timer A or E
            }

            _timeout.Start(Timers.TransactionTimeout); // timer B or F
        }

        await SendAsync(Request, ct).ConfigureAwait(false);
    }

    /// <summary>Gives up locally (the caller's cancellation): timers stop and the task is cancelled.</summary>
    internal void Abandon(CancellationToken ct)
    {
        lock (_gate)
        {
            TerminateLocked();
        }

        _completion.TrySetCanceled(ct);
    }

    internal async ValueTask OnResponseAsync(SipResponse response, SipSource source, CancellationToken ct)
    {
        var action = Action.None;
        SipRequest? ack = null;
        lock (_gate)
        {
            switch (State)
            {
                case TransactionState.Calling or TransactionState.Trying or TransactionState.Proceeding when response.IsProvisional:
                    if (State == TransactionState.Calling)
                    {
                        // §17.1.1.2: no more retransmissions; timer B no longer applies, the proceeding timeout does.
                        _retransmit.Stop();
                        _timeout.Start(Timers.ProceedingTimeout);
                    }
                    else if (State == TransactionState.Trying && !Reliable)
                    {
                        _interval = Timers.T2; // §17.1.2.2: in Proceeding, E fires every T2
                    }

                    State = TransactionState.Proceeding;
                    action = Action.Provisional;
                    break;
                case TransactionState.Calling or TransactionState.Proceeding when response.IsSuccess:
                    _retransmit.Stop();
                    State = TransactionState.Accepted;
                    _timeout.Start(Timers.TransactionTimeout); // timer M: later 2xx go to the TU
                    action = Action.Complete;
                    break;
                case TransactionState.Calling or TransactionState.Proceeding:
                    _retransmit.Stop();
                    State = TransactionState.Completed;
                    _ack = ack = AckFor(response);
                    if (Reliable)
                    {
                        TerminateLocked();
                    }
                    else
                    {
                        _timeout.Start(Timers.TimerD);
                    }

                    action = Action.Complete;
                    break;
                case TransactionState.Trying or TransactionState.Proceeding:
                    if (!Reliable)
                    {
                        // Timer K: the layer keeps only the key to discard retransmitted finals for T4 (before this
                        // transaction leaves its table, so none slips through as stray), and this transaction ends now.
                        _layer.AbsorbFinals(Key);
                    }

                    TerminateLocked();

                    action = Action.Complete;
                    break;
                case TransactionState.Completed when IsInvite && response.IsFinal && !response.IsSuccess:
                    ack = _ack; // §17.1.1.2: each retransmitted final gets the ACK again
                    break;
                case TransactionState.Accepted when response.IsSuccess:
                    action = Action.Stray;
                    break;
            }
        }

        if (ack is not null)
        {
            await SendAsync(ack, ct).ConfigureAwait(false);
        }

        switch (action)
        {
            case Action.Provisional:
                try
                {
                    _onProvisional?.Invoke(response);
                }
                catch (Exception ex)
                {
                    Log.UserFailed(_layer.Logger, Request.Method, Key.Branch, ex);
                }

                break;
            case Action.Complete:
                _completion.TrySetResult(response);
                break;
            case Action.Stray:
                await _layer.User.OnStrayResponseAsync(response, source, ct).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>RFC 3261 §17.1.1.3: the ACK for a non-2xx has the INVITE's Request-URI, top Via, Route, From, Call-ID and CSeq number, and the response's To.</summary>
    private SipRequest AckFor(SipResponse response)
    {
        var ack = SipRequest.Create(SipMethods.Ack, Request.RequestUri.Clone());
        var vias = Request.Headers.GetValues(SipHeaderNames.Via);
        ack.Headers.Add(SipHeaderNames.Via, vias[0]);
        ack.Headers.Add(SipHeaderNames.MaxForwards, "70");
        foreach (var route in Request.Headers.GetAll(SipHeaderNames.Route))
        {
            ack.Headers.Add(SipHeaderNames.Route, route);
        }

        ack.Headers.Add(SipHeaderNames.From, Request.Headers[SipHeaderNames.From] ?? string.Empty);
        ack.Headers.Add(SipHeaderNames.To, response.Headers[SipHeaderNames.To] ?? string.Empty);
        ack.Headers.Add(SipHeaderNames.CallId, Request.CallId);
        ack.CSeq = new CSeqHeader(Request.CSeq.Number, SipMethods.Ack);
        return ack;
    }

    private async ValueTask SendAsync(SipRequest request, CancellationToken ct)
    {
        try
        {
            await _layer.Transport.SendAsync(request, Destination, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (TransactionLayer.IsTransportFailure(ex))
        {
            // §17.1.4: a transport error is reported to the TU as a 503.
            Log.TransportError(_layer.Logger, Request.Method, Key.Branch, ex);
            Finish(SipStatusCodes.ServiceUnavailable, ex);
        }
    }

    private void OnRetransmitTimer()
    {
        lock (_gate)
        {
            if (State is not (TransactionState.Calling or TransactionState.Trying or TransactionState.Proceeding))
            {
                return;
            }

            Retransmissions++;

            // Timer A doubles without a cap (B ends it); timer E doubles up to T2 (§17.1.2.2).
            _interval = IsInvite ? _interval * 2 : (_interval * 2 < Timers.T2 ? _interval * 2 : Timers.T2);
            _retransmit.Start(_interval);
        }

        _ = _layer.FireAndForget(SendAsync(Request, CancellationToken.None));
    }

    private void OnTimeoutTimer()
    {
        bool timedOut;
        lock (_gate)
        {
            timedOut = State is TransactionState.Calling or TransactionState.Trying or TransactionState.Proceeding;
            if (timedOut)
            {
                Log.RequestTimeout(_layer.Logger, Request.Method, Key.Branch);
            }
        }

        if (timedOut)
        {
            Finish(SipStatusCodes.RequestTimeout);
        }
        else
        {
            lock (_gate)
            {
                TerminateLocked(); // timers D and M
            }
        }
    }

    /// <summary>Ends the transaction with a synthesized final response (RFC 3261 §8.1.3.1: 408 on timeout, 503 on transport error).</summary>
    private void Finish(int statusCode, Exception? transportFailure = null)
    {
        lock (_gate)
        {
            if (State is not (TransactionState.Calling or TransactionState.Trying or TransactionState.Proceeding))
            {
                return;
            }

            TerminateLocked();
        }

        var synthesized = SipResponse.CreateFor(Request, statusCode);
        synthesized.IsSynthesized = true;
        synthesized.TransportFailure = transportFailure;
        _completion.TrySetResult(synthesized);
    }

    internal void Terminate()
    {
        lock (_gate)
        {
            TerminateLocked();
        }
    }

    private void TerminateLocked()
    {
        if (State == TransactionState.Terminated)
        {
            return;
        }

        State = TransactionState.Terminated;
        _retransmit.Dispose();
        _timeout.Dispose();
        _layer.Remove(this);
    }

    private enum Action
    {
        None,
        Provisional,
        Complete,
        Stray,
    }
}
