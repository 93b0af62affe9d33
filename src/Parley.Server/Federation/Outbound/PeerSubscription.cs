using Parley.Sip.Dialogs;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Xml;

namespace Parley.Server.Federation.Outbound;

/// <summary>
/// One presence subscription of a local user to a peer user: the current SUBSCRIBE dialog (identified by Call-ID and our
/// From tag before the peer's 200 gives its tag, since a NOTIFY may come first), its refresh or retry timer, and the
/// last presence delivered, which answers the local user's probes.
/// </summary>
internal sealed class PeerSubscription(Jid local, Jid remote)
{
    /// <summary>Guards the dialog, the timer and <see cref="LastPresence"/>.</summary>
    public object Gate { get; } = new();

    public Jid Local { get; } = local;

    public Jid Remote { get; } = remote;

    /// <summary>Call-ID and our tag of the current SUBSCRIBE; changes when the subscription is established again.</summary>
    public (string CallId, string LocalTag) Key { get; set; }

    /// <summary>Set by the 2xx to the SUBSCRIBE; null before it (or when it had no Contact: then refreshes start over).</summary>
    public Dialog? Dialog { get; set; }

    public ITimer? Timer { get; set; }

    /// <summary>The peer user's presence as last delivered to the local user (null: nothing delivered yet).</summary>
    public Element? LastPresence { get; set; }

    /// <summary>
    /// The last SUBSCRIBE failed (peer unreachable) and the event was raised: retries during the same outage stay
    /// silent, so a long outage does not raise one event per subscription per retry.
    /// </summary>
    public bool FailureReported { get; set; }

    /// <summary>Unsubscribed or rejected: nothing more is sent for it.</summary>
    public bool Ended { get; set; }

    public bool IsAvailable => LastPresence is { } presence && presence.GetAttribute("type") is null;
}
