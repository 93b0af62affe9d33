using Parley.Server.Diagnostics;
using Parley.Server.Directory;
using Parley.Server.Federation.Outbound;
using Parley.Server.Management;
using Parley.Server.Privacy;
using Parley.Server.Roster;
using Parley.Server.Sessions;
using Parley.Server.Xmpp;
using Parley.Server.Xmpp.Routing;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Stanzas;
using Parley.Xmpp.Xml;

namespace Parley.Server.Presence.Subscriptions;

/// <summary>
/// Presence subscriptions (RFC 6121 §3) with the seed's policy: auto-approve for the local domains, the allow list,
/// pre-approval, watcher and contact-list limits, and polite blocking (a blocked requester is left pending, never told).
/// Each side's roster is changed under that side's lock only, so the two halves never hold two locks at once.
/// A contact who is a user of the federation peer is subscribed to by SIP (<paramref name="federation"/>).
/// </summary>
public sealed class SubscriptionService(
    SessionRegistry registry,
    RosterEditor rosters,
    PresenceService presence,
    LocalDelivery delivery,
    PrivacyCheck privacy,
    IUserDirectory directory,
    IDeploymentSettings settings,
    IEventLog events,
    Lazy<IPeerGateway>? federation = null)
{
    /// <summary>A subscription stanza from a local client. Returns an error stanza for the client, or null.</summary>
    public Task<Element?> HandleOutboundAsync(XmppSession session, Element stanza, string type, Jid to, CancellationToken cancellationToken)
        => HandleOutboundAsync(session.User.BareJid, stanza, type, to, cancellationToken);

    /// <summary>
    /// A subscription stanza from a local user who need not have an XMPP session: a SIP watcher's SUBSCRIBE is its
    /// presence subscribe, under exactly the same policy. Returns an error stanza for the user, or null.
    /// </summary>
    public async Task<Element?> HandleOutboundAsync(Jid owner, Element stanza, string type, Jid to, CancellationToken cancellationToken)
    {
        owner = owner.Bare;
        var contact = to.Bare;
        if (contact == owner)
        {
            return StanzaError.CreateReply(stanza, StanzaErrorCondition.BadRequest, "You cannot subscribe to your own presence.");
        }

        SubscriptionTransition transition;
        using (await registry.Locks.AcquireAsync(owner, cancellationToken).ConfigureAwait(false))
        {
            var item = await rosters.GetOrEmptyAsync(owner, contact, cancellationToken).ConfigureAwait(false);
            if (type == "subscribe" && item.Hidden && await ContactListFullAsync(owner, cancellationToken).ConfigureAwait(false) is { } limit)
            {
                events.Raise(ParleyEvents.Limits.ContactListLimitReached, owner, limit, contact);
                return StanzaError.CreateReply(stanza, StanzaErrorCondition.PolicyViolation, $"Your contact list is full ({limit} contacts, the deployment's maximum contact list size). Remove a contact first.");
            }

            if (type == "subscribed" && !item.IsWatcher && item.PendingIn && await WatchersFullAsync(owner, cancellationToken).ConfigureAwait(false) is { } watchers)
            {
                events.Raise(ParleyEvents.Limits.WatcherLimitReached, owner, watchers, contact);
                return StanzaError.CreateReply(stanza, StanzaErrorCondition.PolicyViolation, $"You already have {watchers} watchers, the deployment's maximum; {contact} cannot be approved.");
            }

            transition = type switch
            {
                "subscribe" => SubscriptionStateMachine.OutboundSubscribe(item),
                "subscribed" => SubscriptionStateMachine.OutboundSubscribed(item),
                "unsubscribe" => SubscriptionStateMachine.OutboundUnsubscribe(item),
                _ => SubscriptionStateMachine.OutboundUnsubscribed(item),
            };

            if (transition.Changed)
            {
                // Asking for or granting a subscription puts the contact in the roster (RFC 6121 §3.1.2, §3.4).
                var next = type is "subscribe" or "subscribed" ? transition.Item with { Hidden = false } : transition.Item;
                await rosters.SaveAsync(owner, next, cancellationToken).ConfigureAwait(false);
            }
        }

        if (!transition.Forward)
        {
            return null;
        }

        var forwarded = Stanza.Readdress(stanza, owner, contact);
        await HandleInboundAsync(owner, contact, type, forwarded, cancellationToken).ConfigureAwait(false);

        if (type == "subscribed")
        {
            presence.SendCurrentPresence(owner, contact);
        }
        else if (type == "unsubscribed")
        {
            presence.SendUnavailable(owner, contact);
        }

        return null;
    }

    /// <summary>A subscription stanza for a user of this node, or for a user of the federation peer (from a local user or the peer's gateway).</summary>
    public async Task HandleInboundAsync(Jid from, Jid to, string type, Element stanza, CancellationToken cancellationToken)
    {
        if (!settings.Current.HostsDomain(to.Domain))
        {
            // A SIP federation domain goes to the peer; otherwise no server-to-server: the request stays pending.
            await ToPeerAsync(from, to, type, cancellationToken).ConfigureAwait(false);
            return;
        }

        var target = await directory.FindUserAsync(to, cancellationToken).ConfigureAwait(false);
        if (target is null && await ToPeerAsync(from, to, type, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        if (target is null || !target.Enabled)
        {
            if (type == "subscribe")
            {
                // RFC 6121 §3.1.3: no such user, so the request is declined rather than left pending forever.
                await HandleInboundAsync(to, from, "unsubscribed", Stanza.Presence(to, from, "unsubscribed"), cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (await privacy.IsBlockingAsync(to, from, cancellationToken).ConfigureAwait(false))
        {
            return; // Polite blocking: no answer, so the requester just sees the user offline.
        }

        switch (type)
        {
            case "subscribe":
                await InboundSubscribeAsync(from, to, stanza, cancellationToken).ConfigureAwait(false);
                break;
            case "subscribed":
                await ApplyInboundAsync(to, from, stanza, SubscriptionStateMachine.InboundSubscribed, cancellationToken).ConfigureAwait(false);
                break;
            case "unsubscribe":
                if (await ApplyInboundAsync(to, from, stanza, SubscriptionStateMachine.InboundUnsubscribe, cancellationToken).ConfigureAwait(false))
                {
                    presence.SendUnavailable(to, from);
                }

                break;
            default:
                await ApplyInboundAsync(to, from, stanza, SubscriptionStateMachine.InboundUnsubscribed, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>True when <paramref name="to"/> is a user of the federation peer and the gateway took the stanza.</summary>
    private Task<bool> ToPeerAsync(Jid from, Jid to, string type, CancellationToken cancellationToken)
        => federation is null || !settings.Current.Configuration.Federation.Enabled
            ? Task.FromResult(false)
            : federation.Value.HandleSubscriptionAsync(from, to, type, cancellationToken);

    /// <summary>After initial presence, pending requests are shown again (RFC 6121 §3.1.3: at every login).</summary>
    public void DeliverPendingRequests(XmppSession session)
    {
        foreach (var item in session.User.RosterItems())
        {
            // A request from a contact blocked since it arrived stays pending but unseen (XEP-0191: no presence from them).
            if (item.PendingIn && !session.User.IsBlocking(item.Contact))
            {
                LocalDelivery.ToSession(session, Stanza.Presence(item.Contact, session.User.BareJid, "subscribe"));
            }
        }
    }

    private async Task InboundSubscribeAsync(Jid requester, Jid owner, Element stanza, CancellationToken cancellationToken)
    {
        bool approved;
        Element? refusal = null;
        using (await registry.Locks.AcquireAsync(owner, cancellationToken).ConfigureAwait(false))
        {
            var item = await rosters.GetOrEmptyAsync(owner, requester, cancellationToken).ConfigureAwait(false);
            if (item.IsWatcher)
            {
                approved = true; // Already subscribed: the server answers for the user (RFC 6121 §3.1.3).
            }
            else
            {
                var transition = SubscriptionStateMachine.InboundSubscribe(item);
                var policyApproves = item.PreApproved
                    || await privacy.IsAllowingAsync(owner, requester, cancellationToken).ConfigureAwait(false)
                    || (settings.Current.Presence.AutoApproveLocalDomain && settings.Current.HostsDomain(requester.Domain));
                if (policyApproves)
                {
                    if (await WatchersFullAsync(owner, cancellationToken).ConfigureAwait(false) is { } watchers)
                    {
                        events.Raise(ParleyEvents.Limits.WatcherLimitReached, owner, watchers, requester);
                        refusal = StanzaError.CreateReply(stanza, StanzaErrorCondition.PolicyViolation, $"{owner} has reached the maximum number of watchers ({watchers}).");
                        approved = false;
                    }
                    else
                    {
                        var approval = SubscriptionStateMachine.OutboundSubscribed(transition.Item);
                        await rosters.SaveAsync(owner, approval.Item with { Hidden = false }, cancellationToken).ConfigureAwait(false);
                        approved = true;
                    }
                }
                else
                {
                    if (transition.Changed)
                    {
                        await rosters.SaveAsync(owner, transition.Item, cancellationToken).ConfigureAwait(false);
                    }

                    approved = false;
                    if (transition.Forward && registry.Find(owner) is { } online)
                    {
                        LocalDelivery.ToAvailableSessions(online, stanza, requester);
                    }
                }
            }
        }

        if (refusal is not null)
        {
            // The error says why; the unsubscribed that follows clears the requester's pending request (RFC 6121 §3.2).
            presence.DeliverTo(requester, refusal);
            await HandleInboundAsync(owner, requester, "unsubscribed", Stanza.Presence(owner, requester, "unsubscribed"), cancellationToken).ConfigureAwait(false);
            return;
        }

        if (approved)
        {
            await HandleInboundAsync(owner, requester, "subscribed", Stanza.Presence(owner, requester, "subscribed"), cancellationToken).ConfigureAwait(false);
            presence.SendCurrentPresence(owner, requester);
        }
    }

    /// <summary>Applies an inbound transition to the owner's item; delivers the stanza when the RFC says so.</summary>
    private async Task<bool> ApplyInboundAsync(Jid owner, Jid contact, Element stanza, Func<RosterItem, SubscriptionTransition> apply, CancellationToken cancellationToken)
    {
        using (await registry.Locks.AcquireAsync(owner, cancellationToken).ConfigureAwait(false))
        {
            var item = await rosters.GetOrEmptyAsync(owner, contact, cancellationToken).ConfigureAwait(false);
            var transition = apply(item);
            if (transition.Changed)
            {
                await rosters.SaveAsync(owner, transition.Item, cancellationToken).ConfigureAwait(false);
            }

            if (transition.Forward)
            {
                delivery.ToAvailableSessions(owner, stanza);
            }

            return transition.Changed;
        }
    }

    private async ValueTask<int?> ContactListFullAsync(Jid owner, CancellationToken cancellationToken)
    {
        var max = settings.Current.Presence.MaxContactListSize;
        if (max is null)
        {
            return null;
        }

        var items = await rosters.ItemsAsync(owner, cancellationToken).ConfigureAwait(false);
        return items.Count(i => !i.Hidden) >= max ? max : null;
    }

    private async ValueTask<int?> WatchersFullAsync(Jid owner, CancellationToken cancellationToken)
    {
        var max = settings.Current.Presence.MaxWatchers;
        if (max is null)
        {
            return null;
        }

        var items = await rosters.ItemsAsync(owner, cancellationToken).ConfigureAwait(false);
        return items.Count(i => i.IsWatcher) >= max ? max : null;
    }
}
