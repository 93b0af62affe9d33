using System.Globalization;
using Parley.Server.Federation.Outbound;
using Parley.Server.Management;
using Parley.Server.Sessions;
using Parley.Server.Xmpp;
using Parley.Server.Xmpp.Routing;
using Parley.Xmpp;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Xml;

namespace Parley.Server.Presence;

/// <summary>
/// Presence broadcast, probes and directed presence (RFC 6121 §4). Blocking is polite: a blocked contact simply
/// stops receiving presence, exactly as if the user were offline. Presence to a user of the federation peer goes
/// nowhere as a stanza (peer watchers subscribe by SIP and get NOTIFYs); probes of a peer contact are answered from its
/// last NOTIFY (<paramref name="federation"/>).
/// </summary>
public sealed class PresenceService(SessionRegistry registry, IDeploymentSettings settings, IEnumerable<IPresenceObserver> observers, Lazy<IPeerGateway>? federation = null)
{
    private readonly IPresenceObserver[] _observers = [.. observers];

    /// <summary>
    /// Handles presence without 'to' from a client: available (initial or update) or unavailable.
    /// Returns true when it was the session's initial presence.
    /// </summary>
    public bool Broadcast(XmppSession session, Element presence)
    {
        var user = session.User;
        var unavailable = Stanza.Type(presence) == "unavailable";
        var wasAvailable = session.IsAvailable;
        var stamped = Stanza.Readdress(presence, session.FullJid, null);

        if (unavailable)
        {
            if (!wasAvailable)
            {
                return false;
            }

            session.SetPresence(null, 0);
            SendToWatchersAndSelf(user, session, stamped);
            foreach (var target in session.TakeDirectedPresence())
            {
                DeliverTo(target, Stanza.Readdress(stamped, session.FullJid, target));
            }

            NotifyPresenceChanged(user.BareJid);
            return false;
        }

        session.SetPresence(stamped, ReadPriority(presence));
        SendToWatchersAndSelf(user, session, stamped);
        NotifyPresenceChanged(user.BareJid);
        if (wasAvailable)
        {
            return false;
        }

        // Initial presence: learn the contacts' presence (probe, answered locally) and the user's other resources'.
        foreach (var item in user.RosterItems())
        {
            if (item.IsWatched)
            {
                AnswerProbe(item.Contact, user.BareJid, session);
            }
        }

        foreach (var other in user.Sessions)
        {
            if (!ReferenceEquals(other, session) && other.Presence is { } otherPresence)
            {
                LocalDelivery.ToSession(session, otherPresence);
            }
        }

        return true;
    }

    /// <summary>The session goes away: unavailable to everyone who saw it available.</summary>
    public void SessionEnded(XmppSession session)
    {
        if (!session.IsAvailable)
        {
            return;
        }

        var unavailable = new Element("presence", XmppNamespaces.Client).SetAttribute("type", "unavailable");
        Broadcast(session, unavailable);
    }

    /// <summary>Directed presence (RFC 6121 §4.6): to a JID, tracked so unavailable follows it.</summary>
    public void SendDirected(XmppSession session, Element presence, Jid to)
    {
        var type = Stanza.Type(presence);
        var available = type != "unavailable";
        var item = session.User.FindItem(to.Bare);

        // Only availability is tracked: a presence error tells the peer nothing about the user being online.
        if (type != "error" && (item is null || !item.IsWatcher))
        {
            session.RecordDirectedPresence(to, available);
        }

        if (session.User.IsBlocking(to))
        {
            return;
        }

        DeliverTo(to, Stanza.Readdress(presence, session.FullJid, to));
    }

    /// <summary>A probe from <paramref name="prober"/> about a local <paramref name="contact"/>, answered to one session.</summary>
    public void AnswerProbe(Jid contact, Jid prober, XmppSession replyTo)
    {
        var contactUser = registry.Find(contact);
        if (contactUser is null && federation is not null && settings.Current.Configuration.Federation.Enabled
            && federation.Value.AnswerProbe(contact, prober, replyTo))
        {
            return;
        }

        if (contactUser is null || contactUser.IsBlocking(prober) || contactUser.FindItem(prober) is not { IsWatcher: true })
        {
            return;
        }

        foreach (var contactSession in contactUser.Sessions)
        {
            if (contactSession.Presence is { } presence)
            {
                LocalDelivery.ToSession(replyTo, presence);
            }
        }
    }

    /// <summary>Sends the user's current presence (every available resource) to a contact, e.g. after approval.</summary>
    public void SendCurrentPresence(Jid owner, Jid to)
    {
        AuthorizationChanged(owner, to);
        if (registry.Find(owner) is not { } user || user.IsBlocking(to))
        {
            return;
        }

        foreach (var session in user.Sessions)
        {
            if (session.Presence is { } presence)
            {
                DeliverTo(to, Stanza.Readdress(presence, session.FullJid, to));
            }
        }
    }

    /// <summary>Tells a contact every available resource of the user is gone (unsubscribed, blocked).</summary>
    public void SendUnavailable(Jid owner, Jid to)
    {
        AuthorizationChanged(owner, to);
        if (registry.Find(owner) is not { } user)
        {
            return;
        }

        foreach (var session in user.Sessions)
        {
            if (session.IsAvailable)
            {
                DeliverTo(to, Stanza.Presence(session.FullJid, to, "unavailable"));
            }
        }
    }

    /// <summary>Presence addressed to a user on this node: full JID to that session, bare JID to all available ones.</summary>
    public void DeliverTo(Jid to, Element presence)
    {
        if (!settings.Current.HostsDomain(to.Domain))
        {
            return; // No server-to-server yet: presence for other domains is dropped, as for an unreachable domain.
        }

        var recipient = registry.Find(to.Bare);
        if (recipient is null || (Jid.TryParse(presence.GetAttribute("from"), out var from) && recipient.IsBlocking(from)))
        {
            return;
        }

        if (to.IsBare)
        {
            LocalDelivery.ToAvailableSessions(recipient, presence, from);
        }
        else if (recipient.FindSession(to.Resource!) is { } session)
        {
            session.Deliver(presence);
        }
    }

    private void SendToWatchersAndSelf(OnlineUser user, XmppSession session, Element stamped)
    {
        foreach (var item in user.RosterItems())
        {
            if (item.IsWatcher && !user.IsBlocking(item.Contact))
            {
                DeliverTo(item.Contact, Stanza.Readdress(stamped, session.FullJid, item.Contact));
            }
        }

        foreach (var own in user.Sessions)
        {
            if (own.IsAvailable || ReferenceEquals(own, session))
            {
                LocalDelivery.ToSession(own, stamped, session.FullJid);
            }
        }
    }

    private void NotifyPresenceChanged(Jid user)
    {
        foreach (var observer in _observers)
        {
            observer.PresenceChanged(user);
        }
    }

    /// <summary>
    /// Tells the observers that what <paramref name="watcher"/> may see of <paramref name="owner"/> changed although no
    /// presence goes to the watcher (e.g. unblocking someone who is not an approved watcher: a SIP watcher's view moves
    /// from the closed document to pending).
    /// </summary>
    /// <remarks>Approval, denial, cancellation and blocking end in SendCurrentPresence or SendUnavailable, which call it.</remarks>
    public void AuthorizationChanged(Jid owner, Jid watcher)
    {
        foreach (var observer in _observers)
        {
            observer.AuthorizationChanged(owner.Bare, watcher.Bare);
        }
    }

    private static int ReadPriority(Element presence)
    {
        var text = presence.ChildText("priority", XmppNamespaces.Client);
        return text is not null && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var priority)
            ? Math.Clamp(priority, -128, 127)
            : 0;
    }
}
