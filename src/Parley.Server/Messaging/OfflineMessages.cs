using System.Globalization;
using Parley.Server.Diagnostics;
using Parley.Server.Sessions;
using Parley.Server.Xmpp;
using Parley.Xmpp;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Xml;

namespace Parley.Server.Messaging;

/// <summary>
/// Keeps chat messages for offline users (bounded per user) and hands them over, with their original time as a
/// XEP-0203 delay, after the user's next initial presence.
/// </summary>
public sealed class OfflineMessages(IOfflineStore store, StoredStanzaReader reader, XmppServerOptions options, IEventLog events, TimeProvider time)
{
    /// <summary>Stores the message; false when the user's offline storage is full.</summary>
    public async Task<bool> StoreAsync(Jid owner, Element message, CancellationToken cancellationToken)
    {
        var stamped = Stanza.Readdress(message, Jid.TryParse(message.GetAttribute("from"), out var from) ? from : null, owner);
        if (stamped.Child("delay", XmppNamespaces.Delay) is null)
        {
            var delay = stamped.AddChild("delay", XmppNamespaces.Delay);
            delay.SetAttribute("from", owner.Domain);
            delay.SetAttribute("stamp", time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        }

        var stored = await store.TryEnqueueAsync(owner, stamped.ToXml(XmppNamespaces.Client), options.MaxOfflineMessagesPerUser, cancellationToken).ConfigureAwait(false);
        if (!stored)
        {
            events.Raise(ParleyEvents.Limits.OfflineQueueFull, owner, options.MaxOfflineMessagesPerUser, from?.ToString() ?? "(unknown)");
        }

        return stored;
    }

    /// <summary>Delivers and then deletes the stored messages. Unacknowledged ones return here if the session ends.</summary>
    public async Task DeliverAsync(XmppSession session, CancellationToken cancellationToken)
    {
        var owner = session.User.BareJid;
        var messages = await store.PeekAsync(owner, cancellationToken).ConfigureAwait(false);
        if (messages.Count == 0)
        {
            return;
        }

        long? delivered = null;
        foreach (var message in messages)
        {
            if (reader.TryRead(message.StanzaXml) is { } stanza
                && !session.Deliver(Stanza.Readdress(stanza, Jid.TryParse(stanza.GetAttribute("from"), out var from) ? from : null, session.FullJid)))
            {
                break; // The session ended meanwhile: the rest stays stored for the next login.
            }

            delivered = message.Id;
        }

        if (delivered is { } last)
        {
            await store.RemoveAsync(owner, last, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Only messages a person would miss are kept: a body, not a bare chat state or receipt (XEP-0160 §3).</summary>
    public static bool IsWorthStoring(Element message)
        => (Stanza.Type(message) is null or "normal" or "chat") && message.Child("body", XmppNamespaces.Client) is not null;
}
