using Parley.Server.Directory;
using Parley.Server.Federation.Outbound;
using Parley.Server.Management;
using Parley.Server.Privacy;
using Parley.Server.Sessions;
using Parley.Server.Xmpp;
using Parley.Server.Xmpp.Routing;
using Parley.Xmpp;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Stanzas;
using Parley.Xmpp.Xml;

namespace Parley.Server.Messaging;

/// <summary>
/// Message delivery for local recipients (RFC 6121 §8.5): full JID to that resource, bare JID to every available
/// resource with non-negative priority, else offline storage. A recipient who blocked the sender drops the message
/// silently; the sender sees nothing but an offline contact. Recipients that are not local accounts go to the
/// federation gateway when federation is on (<paramref name="federation"/>, registered with SIP); only then.
/// </summary>
public sealed class MessageRouter(
    SessionRegistry registry,
    IUserDirectory directory,
    IDeploymentSettings settings,
    PrivacyCheck privacy,
    OfflineMessages offline,
    Lazy<IPeerGateway>? federation = null)
{
    /// <summary>Routes a message from a local client. Returns an error for the sender, or null.</summary>
    public async Task<Element?> RouteFromClientAsync(XmppSession sender, Element message, Jid? to, CancellationToken cancellationToken)
    {
        var recipient = to ?? sender.User.BareJid;
        if (sender.User.IsBlocking(recipient))
        {
            var error = StanzaError.CreateReply(message, StanzaErrorCondition.NotAcceptable, "You have blocked this contact; unblock them to send messages.", type: StanzaErrorType.Cancel);
            error.Child("error", XmppNamespaces.Client)?.AddChild("blocked", XmppNamespaces.BlockingErrors);
            return error;
        }

        var stamped = Stanza.Readdress(message, sender.FullJid, recipient);
        return await DeliverAsync(stamped, sender.FullJid, recipient, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Delivers a message already stamped with its sender. Returns the error the sender should get, or null.</summary>
    public async Task<Element?> DeliverAsync(Element message, Jid from, Jid to, CancellationToken cancellationToken)
    {
        var type = Stanza.Type(message);
        var isError = type == "error";
        if (!settings.Current.HostsDomain(to.Domain))
        {
            if (await ToPeerAsync(message, from, to, cancellationToken).ConfigureAwait(false) is { Handled: true } federated)
            {
                return federated.Error;
            }

            return isError ? null : StanzaError.CreateReply(message, StanzaErrorCondition.RemoteServerNotFound, $"{to.Domain} is not served here and server-to-server federation is not configured.");
        }

        if (to.Local is null)
        {
            return null; // Messages to the server itself carry nothing it acts on.
        }

        var user = registry.Find(to.Bare);
        if (user is not null)
        {
            if (user.IsBlocking(from))
            {
                return null;
            }

            // A session that ended a moment ago takes nothing: the message goes on as if the resource were gone.
            if (!to.IsBare && user.FindSession(to.Resource!) is { } exact && exact.Deliver(message))
            {
                return null;
            }

            if (type == "groupchat")
            {
                return StanzaError.CreateReply(message, StanzaErrorCondition.ServiceUnavailable, "Group chat is not available for this address.");
            }

            if (isError || (!to.IsBare && type is "headline"))
            {
                return null; // §8.5.3.2.1: errors and headlines to a gone resource are dropped.
            }

            if (LocalDelivery.ToAvailableSessions(user, message, from, minimumPriority: 0) > 0)
            {
                return null;
            }
        }
        else if (type == "groupchat")
        {
            // A peer user gets the federation's own answer (feature-not-implemented), any other address this one.
            return await ToPeerAsync(message, from, to, cancellationToken).ConfigureAwait(false) is { Handled: true } federated
                ? federated.Error
                : StanzaError.CreateReply(message, StanzaErrorCondition.ServiceUnavailable, "Group chat is not available for this address.");
        }

        return await StoreOrRefuseAsync(message, from, to, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Hands a message for someone who is not a local account to the federation; not handled when it is off or has no gateway.</summary>
    private Task<PeerHandling> ToPeerAsync(Element message, Jid from, Jid to, CancellationToken cancellationToken)
        => federation is null || !settings.Current.Configuration.Federation.Enabled
            ? Task.FromResult(PeerHandling.NotFederated)
            : federation.Value.DeliverMessageAsync(message, from, to, cancellationToken);

    private async Task<Element?> StoreOrRefuseAsync(Element message, Jid from, Jid to, CancellationToken cancellationToken)
    {
        if (Stanza.IsError(message) || Stanza.Type(message) == "headline")
        {
            return null; // Not relayed to the peer either: SIP has no error message, and headlines are server notices.
        }

        var owner = to.Bare;
        var account = await directory.FindUserAsync(owner, cancellationToken).ConfigureAwait(false);
        if (account is null && await ToPeerAsync(message, from, to, cancellationToken).ConfigureAwait(false) is { Handled: true } federated)
        {
            return federated.Error;
        }

        if (account is null || !account.Enabled)
        {
            return StanzaError.CreateReply(message, StanzaErrorCondition.ServiceUnavailable, null);
        }

        if (await privacy.IsBlockingAsync(owner, from, cancellationToken).ConfigureAwait(false) || !OfflineMessages.IsWorthStoring(message))
        {
            return null;
        }

        return await offline.StoreAsync(owner, message, cancellationToken).ConfigureAwait(false)
            ? null
            : StanzaError.CreateReply(message, StanzaErrorCondition.ServiceUnavailable, "The recipient is offline and their offline message storage is full.");
    }
}
