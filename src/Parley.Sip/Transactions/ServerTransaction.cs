using Parley.Sip.Messages;
using Parley.Sip.Transport;

namespace Parley.Sip.Transactions;

/// <summary>
/// A server transaction (RFC 3261 §17.2): INVITE (Proceeding → Completed → Confirmed, timers G, H, I; Accepted with
/// timer L after a 2xx, RFC 6026) or non-INVITE (Trying → Proceeding → Completed, timer J). It resends its last
/// response when the request is retransmitted and, over UDP, retransmits a non-2xx final to an INVITE until the ACK.
/// A non-INVITE over UDP spends its Completed state (timer J) as an entry of the layer's <see cref="AbsorbedResponses"/>,
/// which answers retransmissions the same way, and reports Terminated as soon as its final response is sent.
/// </summary>
public sealed class ServerTransaction
{
    private readonly TransactionLayer _layer;
    private readonly Lock _gate = new();
    private readonly TransactionTimer _retransmit;
    private readonly TransactionTimer _timeout;
    private TimeSpan _interval;
    private SipResponse? _lastResponse;
    private volatile bool _abandoned;

    internal ServerTransaction(TransactionLayer layer, TransactionKey key, SipRequest request, SipSource source)
    {
        _layer = layer;
        Key = key;
        Request = request;
        Source = source;
        IsInvite = request.Method == SipMethods.Invite;
        State = IsInvite ? TransactionState.Proceeding : TransactionState.Trying;
        _retransmit = new TransactionTimer(layer.Time, static owner => ((ServerTransaction)owner).OnRetransmitTimer(), this);
        _timeout = new TransactionTimer(layer.Time, static owner => ((ServerTransaction)owner).OnTimeoutTimer(), this);

        // A safety net against a TU that never answers (hostile input must not pin memory): a non-INVITE ends when
        // the client's timer F has given up; an INVITE is answered 408 after the proceeding timeout (timer C's role).
        _timeout.Start(IsInvite ? layer.Timers.ProceedingTimeout : layer.Timers.TransactionTimeout);
    }

    public SipRequest Request { get; }

    public SipSource Source { get; }

    public bool IsInvite { get; }

    public TransactionKey Key { get; }

    /// <summary>Where tags for responses to this transaction come from (the layer's random buffer).</summary>
    public RandomTokens Tokens => _layer.Tokens;

    public TransactionState State { get; private set; }

    /// <summary>The last response sent (what a retransmitted request gets again).</summary>
    public SipResponse? LastResponse
    {
        get
        {
            lock (_gate)
            {
                return _lastResponse;
            }
        }
    }

    public bool HasFinalResponse
    {
        get
        {
            lock (_gate)
            {
                return _lastResponse is { IsFinal: true };
            }
        }
    }

    /// <summary>Times the last response was sent again by timer G or for a retransmitted request (for tests and metrics).</summary>
    public int Retransmissions { get; private set; }

    private bool Reliable => Source.Transport.IsReliable();

    private SipTimers Timers => _layer.Timers;

    /// <summary>
    /// Sends a response and moves the state machine. Provisional responses may repeat; after a final only further 2xx
    /// to an INVITE are allowed (RFC 6026 Accepted). Throws <see cref="InvalidOperationException"/> otherwise.
    /// A transport failure terminates the transaction and is logged, not thrown (RFC 3261 §17.2.4).
    /// </summary>
    public async ValueTask RespondAsync(SipResponse response, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (_abandoned)
        {
            return; // the peer is unreachable or gave up, and the transaction is gone; the TU need not care
        }

        if (!TryAccept(response, out var error))
        {
            throw new InvalidOperationException(error);
        }

        await SendAsync(response, ct).ConfigureAwait(false);
    }

    /// <summary>Sends a final response unless one was already sent; false when it was (racing CANCEL, TU failure).</summary>
    internal async ValueTask<bool> TryRespondFinalAsync(SipResponse response, CancellationToken ct)
    {
        lock (_gate)
        {
            if (_lastResponse is { IsFinal: true } || State == TransactionState.Terminated)
            {
                return false;
            }
        }

        if (!TryAccept(response, out _))
        {
            return false;
        }

        await SendAsync(response, ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>The To tag of the responses sent so far, so a 487 or the 200 to CANCEL reuses it.</summary>
    internal string? ToTag
    {
        get
        {
            var last = LastResponse;
            return last is not null && last.TryGetTo(out var to) ? to.Tag : null;
        }
    }

    /// <summary>The request arrived again: resend the last response, if the state calls for it.</summary>
    internal async ValueTask OnRetransmissionAsync(CancellationToken ct)
    {
        SipResponse? resend;
        lock (_gate)
        {
            // Trying sends nothing; Accepted leaves 2xx retransmission to the TU (RFC 6026 §8.7); Confirmed absorbs.
            resend = State is TransactionState.Proceeding or TransactionState.Completed ? _lastResponse : null;
            if (resend is not null)
            {
                Retransmissions++;
            }
        }

        if (resend is not null)
        {
            await SendAsync(resend, ct).ConfigureAwait(false);
        }
    }

    /// <summary>An ACK matched this INVITE transaction. True when absorbed; false in Accepted (it is for the TU's 2xx).</summary>
    internal bool OnAck()
    {
        lock (_gate)
        {
            switch (State)
            {
                case TransactionState.Completed:
                    State = TransactionState.Confirmed;
                    _retransmit.Stop();
                    _timeout.Stop();
                    if (Reliable)
                    {
                        TerminateLocked();
                    }
                    else
                    {
                        _timeout.Start(Timers.T4); // timer I absorbs ACK retransmissions
                    }

                    return true;
                case TransactionState.Confirmed or TransactionState.Terminated:
                    return true;
                default:
                    return false;
            }
        }
    }

    internal void Terminate()
    {
        lock (_gate)
        {
            TerminateLocked();
        }
    }

    private bool TryAccept(SipResponse response, out string error)
    {
        lock (_gate)
        {
            var final = response.IsFinal;
            switch (State)
            {
                case TransactionState.Trying or TransactionState.Proceeding:
                    _lastResponse = response;
                    if (!final)
                    {
                        State = TransactionState.Proceeding;
                    }
                    else if (IsInvite && response.IsSuccess)
                    {
                        State = TransactionState.Accepted;
                        _timeout.Start(Timers.TransactionTimeout); // timer L
                    }
                    else if (IsInvite)
                    {
                        State = TransactionState.Completed;
                        if (!Reliable)
                        {
                            _interval = Timers.T1;
                            _retransmit.Start(_interval); // timer G
                        }

                        _timeout.Start(Timers.TransactionTimeout); // timer H
                    }
                    else
                    {
                        State = TransactionState.Completed;
                        if (Reliable || IsStatelessAnswer(response))
                        {
                            // Reliable: timer J is zero, nothing will be retransmitted to absorb. A challenge or an OPTIONS
                            // answer keeps no state either (as a stateless proxy would send it): a flood of unauthenticated
                            // requests must not hold 32 s of transactions, and a retransmission is simply answered again.
                            TerminateLocked();
                        }
                        else
                        {
                            // Timer J: the layer keeps a compact copy of the answer to absorb retransmissions for
                            // 64*T1, and this transaction (with its request) ends now.
                            _layer.Absorb(Key, response);
                            TerminateLocked();
                        }
                    }

                    error = string.Empty;
                    return true;
                case TransactionState.Accepted when response.IsSuccess:
                    _lastResponse = response;
                    error = string.Empty;
                    return true;
                default:
                    error = $"The {Request.Method} transaction is {State}; a {response.StatusCode} cannot be sent now.";
                    return false;
            }
        }
    }

    private async ValueTask SendAsync(SipResponse response, CancellationToken ct)
    {
        try
        {
            await _layer.Transport.SendResponseAsync(response, Source, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (TransactionLayer.IsTransportFailure(ex))
        {
            Log.TransportError(_layer.Logger, Request.Method, Key.Branch, ex);
            _abandoned = true;
            Terminate();
            _layer.ForgetAbsorbed(Key); // §17.2.4: a transport failure ends the transaction, timer J included
        }
    }

    private void OnRetransmitTimer()
    {
        SipResponse? resend;
        lock (_gate)
        {
            if (State != TransactionState.Completed || _lastResponse is null)
            {
                return;
            }

            resend = _lastResponse;
            Retransmissions++;
            _interval = _interval * 2 < Timers.T2 ? _interval * 2 : Timers.T2;
            _retransmit.Start(_interval);
        }

        _ = _layer.FireAndForget(SendAsync(resend, CancellationToken.None));
    }

    private void OnTimeoutTimer()
    {
        var unanswered = false;
        lock (_gate)
        {
            if (State == TransactionState.Completed && IsInvite)
            {
                Log.AckTimeout(_layer.Logger, Request.Method, Key.Branch);
            }

            if (State is TransactionState.Completed or TransactionState.Confirmed or TransactionState.Accepted)
            {
                TerminateLocked();
            }
            else if (State is TransactionState.Trying or TransactionState.Proceeding)
            {
                Log.Unanswered(_layer.Logger, Request.Method, Key.Branch);
                unanswered = IsInvite;
                if (!IsInvite)
                {
                    _abandoned = true;
                    TerminateLocked();
                }
            }
        }

        if (unanswered)
        {
            var timeout = SipResponse.CreateFor(Request, SipStatusCodes.RequestTimeout, toTag: ToTag ?? Tokens.NewTag());
            _ = _layer.FireAndForget(DiscardResult(TryRespondFinalAsync(timeout, CancellationToken.None)));
        }
    }

    private static async ValueTask DiscardResult(ValueTask<bool> task) => await task.ConfigureAwait(false);

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

    private bool IsStatelessAnswer(SipResponse response)
        => response.StatusCode is SipStatusCodes.Unauthorized or SipStatusCodes.ProxyAuthenticationRequired or SipStatusCodes.ServiceUnavailable
           || Request.Method == SipMethods.Options;
}
