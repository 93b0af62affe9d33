using Parley.Server.Sessions;
using Parley.Server.Sip.Gateway;
using Parley.Server.Xmpp;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Stanzas;
using Parley.Xmpp.Xml;

namespace Parley.Server.Federation.Outbound;

/// <summary>
/// The XMPP↔peer gateway the engine calls for recipients it does not host: classification first, then messages to
/// <see cref="PeerMessaging"/> and subscriptions to <see cref="PeerPresenceSubscriptions"/>. An XMPP client's message
/// goes through <see cref="PeerSendQueue"/> (its stream does not wait for the peer); a SIP user's is awaited, because
/// the status of its own MESSAGE transaction is the answer.
/// </summary>
public sealed class PeerGateway(IFederationRouting routing, PeerMessaging messaging, PeerSendQueue queue, PeerPresenceSubscriptions subscriptions) : IPeerGateway
{
    public async Task<PeerHandling> DeliverMessageAsync(Element message, Jid from, Jid to, CancellationToken cancellationToken)
    {
        var classification = await routing.ClassifyAsync(to, cancellationToken).ConfigureAwait(false);
        return classification.Kind switch
        {
            RecipientKind.Peer when from.Resource != SipUserSessions.Resource
                => new PeerHandling(true, queue.Enqueue(message, from, to, () => messaging.SendAsync(message, from, to, classification.Routes!, CancellationToken.None))),
            RecipientKind.Peer => new PeerHandling(true, await messaging.SendAsync(message, from, to, classification.Routes!, cancellationToken).ConfigureAwait(false)),
            RecipientKind.NoRoute => new PeerHandling(true, Stanza.IsError(message) ? null
                : StanzaError.CreateReply(message, StanzaErrorCondition.RemoteServerNotFound, $"No static route leads to the federation peer for {to.Domain}.")),
            _ => PeerHandling.NotFederated,
        };
    }

    public async Task<bool> HandleSubscriptionAsync(Jid from, Jid to, string type, CancellationToken cancellationToken)
    {
        var classification = await routing.ClassifyAsync(to, cancellationToken).ConfigureAwait(false);
        if (classification.Kind is not (RecipientKind.Peer or RecipientKind.NoRoute))
        {
            return false;
        }

        switch (type)
        {
            case "subscribe":
                // Stored even without a route: it is sent once the route exists (retry timer).
                await subscriptions.SubscribeAsync(from, to, cancellationToken).ConfigureAwait(false);
                break;
            case "unsubscribe":
                await subscriptions.UnsubscribeAsync(from, to, cancellationToken).ConfigureAwait(false);
                break;
            default:
                // subscribed/unsubscribed to a peer watcher: what it sees follows from the roster through the SIP
                // presence server's NOTIFYs (SipWatcherAuthorization); nothing goes to the peer as a stanza.
                break;
        }

        return true;
    }

    public bool AnswerProbe(Jid contact, Jid prober, XmppSession replyTo) => subscriptions.AnswerProbe(contact, prober, replyTo);
}
