using Parley.Server.Sessions;
using Parley.Server.Xmpp;
using Parley.Server.Xmpp.C2s;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Stanzas;
using Parley.Xmpp.Streams;
using Parley.Xmpp.Xml;

namespace Parley.Server.Sip.Gateway;

/// <summary>
/// The "connection" of a SIP user session: messages become SIP requests, started in arrival order with up to
/// <see cref="MaxInFlight"/> awaiting their final responses; presence is ignored (SIP watchers are served
/// presentity-side by the SIP presence server); IQ requests are answered service-unavailable, since a SIP client has
/// no XMPP IQ handler.
/// <para>
/// A message is started on the sender's thread when the window has room, so a relayed MESSAGE goes out without a
/// thread hop (starting one only builds and sends the request; the wait for its answer is asynchronous). Beyond the
/// window messages wait in order and are started as earlier ones finish.
/// </para>
/// </summary>
internal sealed class SipStanzaTransport : IStanzaTransport
{
    /// <summary>Messages waiting for SIP delivery; beyond this they go straight to offline storage (a device that never answers).</summary>
    private const int MaxQueuedMessages = 1000;

    /// <summary>
    /// MESSAGE transactions outstanding at once. One at a time caps a user at one message per round trip (a busy sender
    /// or a slow contact fills the queue and everything after goes offline); a bounded window keeps the send order
    /// (only a retransmitted MESSAGE can be overtaken, as through any stateful proxy) and bounds the work per user.
    /// </summary>
    private const int MaxInFlight = 256;

    private readonly Jid _user;
    private readonly SipMessageDelivery _delivery;
    private readonly SipUserSessions _sessions;
    private readonly Lock _gate = new();
    private readonly Queue<Element> _waiting = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private bool _completed;
    private int _closed;

    public SipStanzaTransport(Jid user, SipMessageDelivery delivery, SipUserSessions sessions, SessionTerminations background)
    {
        _user = user;
        _delivery = delivery;
        _sessions = sessions;
        background.Track(_drained.Task); // shutdown waits for the deliveries already started or queued
    }

    public void Send(Element element)
    {
        switch (element.Name)
        {
            case "message" when !Stanza.IsError(element):
                Enqueue(element);
                break;
            case "iq" when Stanza.Type(element) is "get" or "set":
                _delivery.ReplyToIq(StanzaError.CreateReply(element, StanzaErrorCondition.ServiceUnavailable, "The user is on a SIP client, which does not answer XMPP requests."));
                break;
            default:
                break; // Presence, IQ results and errors, message errors: nothing a SIP client takes.
        }
    }

    /// <summary>The session ended: messages already queued are still delivered (or stored offline), then the transport is drained.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
            SignalIfDrained();
        }
    }

    public void Close(XmppStreamErrorReason? reason, string? text)
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1)
        {
            return;
        }

        Complete();
        // Closing comes from account revocation (disabled or removed): its registrations and publication go too.
        _ = _sessions.RevokeAsync(_user);
    }

    private void Enqueue(Element message)
    {
        bool start = false, store = false;
        lock (_gate)
        {
            if (_completed || (_inFlight >= MaxInFlight && _waiting.Count >= MaxQueuedMessages))
            {
                store = true;
            }
            else if (_inFlight < MaxInFlight && _waiting.Count == 0)
            {
                _inFlight++;
                start = true;
            }
            else
            {
                _waiting.Enqueue(message);
            }
        }

        if (store)
        {
            _delivery.StoreUndelivered(_user, message);
        }
        else if (start)
        {
            _ = DeliverAsync(message);
        }
    }

    private async Task DeliverAsync(Element message)
    {
        try
        {
            await _delivery.DeliverAsync(_user, message, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            OnDeliveryFinished();
        }
    }

    private void OnDeliveryFinished()
    {
        Element? next;
        lock (_gate)
        {
            if (!_waiting.TryDequeue(out next))
            {
                _inFlight--;
                SignalIfDrained();
                return;
            }
        }

        // A backlog (more than MaxInFlight outstanding) is started from the pool, so a long queue of deliveries that
        // finish at once cannot nest on this stack.
        ThreadPool.UnsafeQueueUserWorkItem(static state => _ = state.Transport.DeliverAsync(state.Message), (Transport: this, Message: next), preferLocal: true);
    }

    private void SignalIfDrained()
    {
        if (_completed && _inFlight == 0 && _waiting.Count == 0)
        {
            _drained.TrySetResult();
        }
    }
}
