using System.Threading.Channels;
using Parley.Server.Sessions;
using Parley.Server.Xmpp;
using Parley.Server.Xmpp.C2s;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Stanzas;
using Parley.Xmpp.Streams;
using Parley.Xmpp.Xml;

namespace Parley.Server.Sip.Gateway;

/// <summary>
/// The "connection" of a SIP user session: messages become SIP requests, started in arrival order off the sender's
/// thread with up to <see cref="MaxInFlight"/> awaiting their final responses; presence is ignored (SIP watchers are
/// served presentity-side by the SIP presence server); IQ requests are answered service-unavailable, since a SIP client
/// has no XMPP IQ handler.
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
    private readonly Channel<Element> _queue = Channel.CreateBounded<Element>(new BoundedChannelOptions(MaxQueuedMessages) { SingleReader = true });
    private int _closed;

    public SipStanzaTransport(Jid user, SipMessageDelivery delivery, SipUserSessions sessions, SessionTerminations background)
    {
        _user = user;
        _delivery = delivery;
        _sessions = sessions;
        background.Track(PumpAsync());
    }

    public void Send(Element element)
    {
        switch (element.Name)
        {
            case "message" when !Stanza.IsError(element):
                if (!_queue.Writer.TryWrite(element))
                {
                    _delivery.StoreUndelivered(_user, element);
                }

                break;
            case "iq" when Stanza.Type(element) is "get" or "set":
                _delivery.ReplyToIq(StanzaError.CreateReply(element, StanzaErrorCondition.ServiceUnavailable, "The user is on a SIP client, which does not answer XMPP requests."));
                break;
            default:
                break; // Presence, IQ results and errors, message errors: nothing a SIP client takes.
        }
    }

    /// <summary>The session ended: messages already queued are still delivered (or stored offline), then the pump stops.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    public void Close(XmppStreamErrorReason? reason, string? text)
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1)
        {
            return;
        }

        _queue.Writer.TryComplete();
        // Closing comes from account revocation (disabled or removed): its registrations and publication go too.
        _ = _sessions.RevokeAsync(_user);
    }

    private async Task PumpAsync()
    {
        await Task.Yield();
        using var window = new SemaphoreSlim(MaxInFlight, MaxInFlight);
        await foreach (var message in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            await window.WaitAsync().ConfigureAwait(false);
            _ = DeliverAsync(message, window);
        }

        // The session ended: the pump (tracked for shutdown) finishes only when every delivery it started has.
        for (var i = 0; i < MaxInFlight; i++)
        {
            await window.WaitAsync().ConfigureAwait(false);
        }
    }

    private async Task DeliverAsync(Element message, SemaphoreSlim window)
    {
        try
        {
            await _delivery.DeliverAsync(_user, message, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            window.Release();
        }
    }
}
