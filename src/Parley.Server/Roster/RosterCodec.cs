using System.Globalization;
using Parley.Xmpp;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Xml;

namespace Parley.Server.Roster;

/// <summary>jabber:iq:roster &lt;item/&gt; elements to and from <see cref="RosterItem"/> (RFC 6121 §2.1).</summary>
public static class RosterCodec
{
    public const int MaxGroupLength = 1024;
    public const int MaxNameLength = 1024;

    public static string FormatVersion(long version) => version.ToString(CultureInfo.InvariantCulture);

    public static Element ToElement(RosterItem item)
    {
        var element = new Element("item", XmppNamespaces.Roster);
        element.SetAttribute("jid", item.Contact.ToString());
        element.SetAttribute("name", item.Name);
        element.SetAttribute("subscription", item.Subscription switch
        {
            Subscription.To => "to",
            Subscription.From => "from",
            Subscription.Both => "both",
            _ => "none",
        });
        if (item.PendingOut)
        {
            element.SetAttribute("ask", "subscribe");
        }

        if (item.PreApproved)
        {
            element.SetAttribute("approved", "true");
        }

        foreach (var group in item.Groups)
        {
            element.AddChild("group", XmppNamespaces.Roster).AddText(group);
        }

        return element;
    }

    public static Element RemovedItem(Jid contact)
    {
        var element = new Element("item", XmppNamespaces.Roster);
        element.SetAttribute("jid", contact.ToString());
        element.SetAttribute("subscription", "remove");
        return element;
    }

    /// <summary>
    /// Reads a client's roster set item: jid, name, groups. Returns an error text for bad requests (RFC 6121 §2.3.3).
    /// </summary>
    public static string? TryReadSetItem(Element item, out Jid? contact, out string? name, out IReadOnlyList<string> groups, out bool remove)
    {
        contact = null;
        name = item.GetAttribute("name");
        groups = [];
        remove = item.GetAttribute("subscription") == "remove";
        if (!Jid.TryParse(item.GetAttribute("jid"), out var jid))
        {
            return "The item's jid is missing or malformed.";
        }

        contact = jid.Bare;
        if (name is { Length: > MaxNameLength })
        {
            return "The item's name is too long.";
        }

        var list = new List<string>();
        foreach (var group in item.Elements())
        {
            if (!group.Is("group", XmppNamespaces.Roster))
            {
                continue;
            }

            var text = group.Text;
            if (text.Length == 0 || text.Length > MaxGroupLength)
            {
                return "A group name is empty or too long.";
            }

            if (list.Contains(text, StringComparer.Ordinal))
            {
                return "A group is listed twice.";
            }

            list.Add(text);
        }

        groups = list;
        return null;
    }
}
