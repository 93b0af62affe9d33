using Parley.Server.Diagnostics;
using Parley.Server.Management;
using Parley.Server.Presence.Subscriptions;
using Parley.Server.Sessions;
using Parley.Server.Xmpp;
using Parley.Xmpp;
using Parley.Xmpp.Stanzas;
using Parley.Xmpp.Xml;

namespace Parley.Server.Roster;

/// <summary>jabber:iq:roster get and set (RFC 6121 §2) with versioning and the contact-list limit.</summary>
public sealed class RosterService(
    SessionRegistry registry,
    RosterEditor rosters,
    SubscriptionService subscriptions,
    IDeploymentSettings settings,
    IEventLog events)
{
    public async Task<Element> HandleAsync(XmppSession session, Element iq, Element query, CancellationToken cancellationToken)
    {
        return Stanza.Type(iq) switch
        {
            "get" => Get(session, iq, query),
            "set" => await SetAsync(session, iq, query, cancellationToken).ConfigureAwait(false),
            _ => StanzaError.CreateReply(iq, StanzaErrorCondition.BadRequest, null),
        };
    }

    private static Element Get(XmppSession session, Element iq, Element query)
    {
        session.IsInterested = true;
        var user = session.User;
        var items = user.RosterItems();
        var version = RosterCodec.FormatVersion(user.RosterVersion);
        var result = Stanza.Result(iq, null);

        // RFC 6121 §2.6.3: an unchanged roster is answered with an empty result; pushes follow as usual.
        if (query.GetAttribute("ver") == version)
        {
            return result;
        }

        var answer = result.AddChild("query", XmppNamespaces.Roster);
        answer.SetAttribute("ver", version);
        foreach (var item in items)
        {
            if (!item.Hidden)
            {
                answer.Add(RosterCodec.ToElement(item));
            }
        }

        return result;
    }

    private async Task<Element> SetAsync(XmppSession session, Element iq, Element query, CancellationToken cancellationToken)
    {
        var itemElements = query.Elements().Where(e => e.Is("item", XmppNamespaces.Roster)).ToList();
        if (itemElements.Count != 1)
        {
            return StanzaError.CreateReply(iq, StanzaErrorCondition.BadRequest, "A roster set carries exactly one item.");
        }

        var problem = RosterCodec.TryReadSetItem(itemElements[0], out var contact, out var name, out var groups, out var remove);
        if (problem is not null || contact is null)
        {
            return StanzaError.CreateReply(iq, StanzaErrorCondition.BadRequest, problem);
        }

        var owner = session.User.BareJid;
        if (remove)
        {
            var existing = session.User.FindItem(contact);
            if (existing is null || existing.Hidden)
            {
                return StanzaError.CreateReply(iq, StanzaErrorCondition.ItemNotFound, null);
            }

            // RFC 6121 §2.5.2: removing a contact also ends the subscriptions both ways.
            if (existing.IsWatched || existing.PendingOut)
            {
                await subscriptions.HandleOutboundAsync(session, Stanza.Presence(owner, contact, "unsubscribe"), "unsubscribe", contact, cancellationToken).ConfigureAwait(false);
            }

            if (existing.IsWatcher || existing.PendingIn)
            {
                await subscriptions.HandleOutboundAsync(session, Stanza.Presence(owner, contact, "unsubscribed"), "unsubscribed", contact, cancellationToken).ConfigureAwait(false);
            }

            using (await registry.Locks.AcquireAsync(owner, cancellationToken).ConfigureAwait(false))
            {
                var current = await rosters.GetOrEmptyAsync(owner, contact, cancellationToken).ConfigureAwait(false);
                await rosters.DeleteAsync(owner, current with { Hidden = false }, cancellationToken).ConfigureAwait(false);
            }

            return Stanza.Result(iq, null);
        }

        using (await registry.Locks.AcquireAsync(owner, cancellationToken).ConfigureAwait(false))
        {
            var current = await rosters.GetOrEmptyAsync(owner, contact, cancellationToken).ConfigureAwait(false);
            if (current.Hidden && settings.Current.Presence.MaxContactListSize is { } max
                && session.User.RosterItems().Count(i => !i.Hidden) >= max)
            {
                events.Raise(ParleyEvents.Limits.ContactListLimitReached, owner, max, contact);
                return StanzaError.CreateReply(iq, StanzaErrorCondition.PolicyViolation, $"Your contact list is full ({max} contacts, the deployment's maximum contact list size). Remove a contact first.");
            }

            await rosters.SaveAsync(owner, current with { Name = name, Groups = groups, Hidden = false }, cancellationToken).ConfigureAwait(false);
        }

        return Stanza.Result(iq, null);
    }
}
