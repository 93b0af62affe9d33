using Parley.Server.Sip.Registrar;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Sip.Presence.Subscriptions;

/// <summary>Why a subscription ends, as the Subscription-State reason of its final NOTIFY (RFC 6665 §4.1.3).</summary>
public enum SubscriptionEndReason
{
    /// <summary>Expired, or the watcher unsubscribed (Expires: 0).</summary>
    Timeout,

    /// <summary>Notifications kept failing; the watcher may subscribe again.</summary>
    Deactivated,

    /// <summary>The presentity no longer exists.</summary>
    NoResource,

    /// <summary>The watcher may no longer subscribe (its account was disabled or removed).</summary>
    Rejected,
}

/// <summary>
/// One watcher's presence subscription: the dialog, the flow NOTIFYs go back on, its expiry, and the notifier's
/// bookkeeping. Changed only by <see cref="SipNotifier"/> and the SUBSCRIBE handler, under <see cref="Gate"/>.
/// </summary>
public sealed class SipSubscription(string id, Jid watcher, Jid presentity, SubscriptionDialog dialog, SipFlow flow, string? accept, string? eventId, DateTimeOffset expires)
{
    private int _queued;
    private volatile bool _forceNext;

    /// <summary>Stable key in storage.</summary>
    public string Id { get; } = id;

    public Jid Watcher { get; } = watcher.Bare;

    public Jid Presentity { get; } = presentity.Bare;

    public SubscriptionDialog Dialog { get; } = dialog;

    /// <summary>The path the last SUBSCRIBE came on; NOTIFYs reuse it (its TCP/TLS connection while open).</summary>
    public SipFlow Flow { get; set; } = flow;

    public string? Accept { get; } = accept;

    /// <summary>The Event header's id parameter, echoed in every NOTIFY (RFC 6665 §8.2.1).</summary>
    public string? EventId { get; } = eventId;

    public DateTimeOffset Expires { get; set; } = expires;

    /// <summary>Serialises NOTIFYs and refreshes of this dialog: CSeq order and one transaction at a time (RFC 6665 §4.2.2).</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>NOTIFYs in a row that failed.</summary>
    public int Failures { get; set; }

    /// <summary>Set once the final NOTIFY went (or the watcher said 481): nothing more is sent.</summary>
    public bool Ended { get; set; }

    /// <summary>What the watcher last received (state and body), so an unchanged document is not sent again.</summary>
    public string? LastNotified { get; set; }

    /// <summary>The local CSeq last written to storage (see <see cref="SipNotifier.CSeqCheckpoint"/>).</summary>
    public uint StoredLocalSequence { get; set; }

    /// <summary>
    /// Claims the one waiting slot before <see cref="Gate"/>: false when another notification already waits, which
    /// will read the state after this change anyway, so a burst against a slow watcher queues one NOTIFY, not many.
    /// </summary>
    public bool TryQueue(bool force)
    {
        if (force)
        {
            _forceNext = true;
        }

        return Interlocked.Exchange(ref _queued, 1) == 0;
    }

    /// <summary>Leaves the waiting slot once <see cref="Gate"/> is held; says whether the NOTIFY must go even if unchanged.</summary>
    public bool Dequeue()
    {
        Volatile.Write(ref _queued, 0);
        var force = _forceNext;
        _forceNext = false;
        return force;
    }

    public TimeSpan Remaining(DateTimeOffset now) => Expires > now ? Expires - now : TimeSpan.Zero;

    public override string ToString() => $"{Watcher} → {Presentity} ({Dialog.CallId})";
}
