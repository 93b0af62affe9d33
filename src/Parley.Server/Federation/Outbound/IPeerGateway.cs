using Parley.Server.Sessions;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Xml;

namespace Parley.Server.Federation.Outbound;

/// <summary>
/// What the XMPP engine asks the federation about recipients it does not host (not a local account, or a SIP federation
/// domain). Consumers take it as <c>Lazy&lt;IPeerGateway&gt;?</c>: it is registered only with SIP, and it needs the
/// engine services that call it.
/// </summary>
public interface IPeerGateway
{
    /// <summary>
    /// A message for <paramref name="to"/>: <see cref="PeerHandling.NotFederated"/> when the caller should answer as
    /// without federation, else handled with the sender's error (or none).
    /// </summary>
    Task<PeerHandling> DeliverMessageAsync(Element message, Jid from, Jid to, CancellationToken cancellationToken);

    /// <summary>A subscription stanza of local <paramref name="from"/> for <paramref name="to"/>; false when <paramref name="to"/> is no peer user.</summary>
    Task<bool> HandleSubscriptionAsync(Jid from, Jid to, string type, CancellationToken cancellationToken);

    /// <summary>Answers a probe of a peer contact to <paramref name="replyTo"/> from what the peer last notified; false when not a peer contact.</summary>
    bool AnswerProbe(Jid contact, Jid prober, XmppSession replyTo);
}

/// <summary>The outcome of <see cref="IPeerGateway.DeliverMessageAsync"/>.</summary>
public readonly record struct PeerHandling(bool Handled, Element? Error)
{
    public static readonly PeerHandling NotFederated = default;
}
