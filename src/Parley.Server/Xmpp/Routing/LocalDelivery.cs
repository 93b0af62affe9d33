using Parley.Server.Roster;
using Parley.Server.Sessions;
using Parley.Xmpp;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Xml;

namespace Parley.Server.Xmpp.Routing;

/// <summary>Puts stanzas into the sessions of users on this node. No policy: callers decided it should go.</summary>
public sealed class LocalDelivery(SessionRegistry registry)
{
    /// <summary>Presence to a bare JID: every available resource (RFC 6121 §8.5.2.1.1). Returns the count reached.</summary>
    public int ToAvailableSessions(Jid bareJid, Element stanza)
        => registry.Find(bareJid) is { } user ? ToAvailableSessions(user, stanza, StanzaFrom(stanza)) : 0;

    /// <summary>
    /// Every available resource of an online user with at least <paramref name="minimumPriority"/> (messages to a bare
    /// JID skip negative priorities, RFC 6121 §8.5.2.1.1). Returns the count reached.
    /// </summary>
    public static int ToAvailableSessions(OnlineUser user, Element stanza, Jid? from, int minimumPriority = int.MinValue)
    {
        var count = 0;
        foreach (var session in user.Sessions)
        {
            if (session.IsAvailable && session.Priority >= minimumPriority && ToSession(session, stanza, from))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Delivers to one session, addressed to its full JID; false when the session has just ended.</summary>
    public static bool ToSession(XmppSession session, Element stanza) => ToSession(session, stanza, StanzaFrom(stanza));

    public static bool ToSession(XmppSession session, Element stanza, Jid? from)
        => session.Deliver(Stanza.Readdress(stanza, from, session.FullJid));

    /// <summary>Roster push (RFC 6121 §2.1.6) to every session that asked for the roster.</summary>
    public void RosterPush(OnlineUser user, RosterItem item, long version, bool removed)
    {
        foreach (var session in user.Sessions)
        {
            if (!session.IsInterested)
            {
                continue;
            }

            var push = Stanza.Iq("set", "push" + version.ToString(System.Globalization.CultureInfo.InvariantCulture), null, session.FullJid);
            var query = push.AddChild("query", XmppNamespaces.Roster);
            query.SetAttribute("ver", RosterCodec.FormatVersion(version));
            query.Add(removed ? RosterCodec.RemovedItem(item.Contact) : RosterCodec.ToElement(item));
            session.Deliver(push);
        }
    }

    private static Jid? StanzaFrom(Element stanza) => Jid.TryParse(stanza.GetAttribute("from"), out var from) ? from : null;
}
