using Parley.Server.Presence;
using Parley.Server.Sessions;
using Parley.Server.Xmpp;
using Parley.Xmpp;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Stanzas;
using Parley.Xmpp.Xml;

namespace Parley.Server.Privacy;

/// <summary>
/// XEP-0191 blocking. Blocking is polite: the blocked contact receives unavailable presence from every resource and
/// from then on sees the user as offline; nothing tells them they are blocked.
/// </summary>
public sealed class BlockingService(SessionRegistry registry, IPrivacyStore store, PresenceService presence)
{
    public const int MaxItemsPerRequest = 500;

    public async Task<Element> HandleAsync(XmppSession session, Element iq, Element payload, CancellationToken cancellationToken)
    {
        var type = Stanza.Type(iq);
        if (type == "get" && payload.Name == "blocklist")
        {
            session.IsInterested = true;
            var result = Stanza.Result(iq, null);
            var list = result.AddChild("blocklist", XmppNamespaces.Blocking);
            lock (session.User.Blocked)
            {
                foreach (var jid in session.User.Blocked)
                {
                    list.AddChild("item", XmppNamespaces.Blocking).SetAttribute("jid", jid.ToString());
                }
            }

            return result;
        }

        if (type != "set" || payload.Name is not ("block" or "unblock"))
        {
            return StanzaError.CreateReply(iq, StanzaErrorCondition.BadRequest, null);
        }

        var items = new List<Jid>();
        foreach (var item in payload.Elements())
        {
            if (!item.Is("item", XmppNamespaces.Blocking))
            {
                continue;
            }

            if (!Jid.TryParse(item.GetAttribute("jid"), out var jid))
            {
                return StanzaError.CreateReply(iq, StanzaErrorCondition.JidMalformed, "An item's jid is malformed.");
            }

            items.Add(jid);
        }

        if (items.Count > MaxItemsPerRequest)
        {
            return StanzaError.CreateReply(iq, StanzaErrorCondition.PolicyViolation, $"At most {MaxItemsPerRequest} items per request.");
        }

        var block = payload.Name == "block";
        if (block && items.Count == 0)
        {
            return StanzaError.CreateReply(iq, StanzaErrorCondition.BadRequest, "A block request names at least one JID.");
        }

        var user = session.User;
        IReadOnlyList<Jid> changed;
        using (await registry.Locks.AcquireAsync(user.BareJid, cancellationToken).ConfigureAwait(false))
        {
            if (block)
            {
                await store.AddAsync(user.BareJid, PrivacyListKind.Block, items, cancellationToken).ConfigureAwait(false);
                lock (user.Blocked)
                {
                    changed = items.Where(user.Blocked.Add).ToList();
                }
            }
            else
            {
                await store.RemoveAsync(user.BareJid, PrivacyListKind.Block, items.Count == 0 ? null : items, cancellationToken).ConfigureAwait(false);
                lock (user.Blocked)
                {
                    changed = items.Count == 0 ? [.. user.Blocked] : items.Where(user.Blocked.Remove).ToList();
                    if (items.Count == 0)
                    {
                        user.Blocked.Clear();
                    }
                }
            }
        }

        foreach (var jid in changed)
        {
            if (block)
            {
                presence.SendUnavailable(user.BareJid, jid);
            }
            else if (user.FindItem(jid.Bare) is { IsWatcher: true })
            {
                presence.SendCurrentPresence(user.BareJid, jid);
            }
            else
            {
                // No presence is owed to a non-watcher, but a SIP watcher's view still changes (e.g. closed → pending).
                presence.AuthorizationChanged(user.BareJid, jid);
            }
        }

        Push(user, payload.Name, items);
        return Stanza.Result(iq, null);
    }

    private static void Push(OnlineUser user, string action, IReadOnlyList<Jid> items)
    {
        foreach (var session in user.Sessions)
        {
            if (!session.IsInterested)
            {
                continue;
            }

            var push = Stanza.Iq("set", "block-push", null, session.FullJid);
            var payload = push.AddChild(action, XmppNamespaces.Blocking);
            foreach (var jid in items)
            {
                payload.AddChild("item", XmppNamespaces.Blocking).SetAttribute("jid", jid.ToString());
            }

            session.Deliver(push);
        }
    }
}
