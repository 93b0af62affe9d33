using Parley.Xmpp;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Xml;

namespace Parley.Server.Xmpp;

/// <summary>Builders and accessors for the three stanza kinds, so services read like the RFC text.</summary>
public static class Stanza
{
    public static Element Presence(Jid from, Jid to, string? type = null)
    {
        var presence = new Element("presence", XmppNamespaces.Client);
        presence.SetAttribute("from", from.ToString());
        presence.SetAttribute("to", to.ToString());
        presence.SetAttribute("type", type);
        return presence;
    }

    public static Element Iq(string type, string id, Jid? from, Jid? to)
    {
        var iq = new Element("iq", XmppNamespaces.Client);
        iq.SetAttribute("type", type);
        iq.SetAttribute("id", id);
        iq.SetAttribute("from", from?.ToString());
        iq.SetAttribute("to", to?.ToString());
        return iq;
    }

    /// <summary>The empty result to an IQ get/set, addressed back to the requester.</summary>
    public static Element Result(Element request, Jid? from)
    {
        var result = new Element("iq", XmppNamespaces.Client);
        result.SetAttribute("type", "result");
        result.SetAttribute("id", request.GetAttribute("id"));
        // The answer comes from whom the request went to (RFC 6120 §8.1.2.1), which clients check when matching.
        result.SetAttribute("from", from?.ToString() ?? request.GetAttribute("to"));
        result.SetAttribute("to", request.GetAttribute("from"));
        return result;
    }

    /// <summary>
    /// A copy addressed from/to the given JIDs. Children are shared, not copied: routed stanzas are never mutated
    /// after this point, so one body can fan out to many recipients cheaply.
    /// </summary>
    public static Element Readdress(Element stanza, Jid? from, Jid? to)
    {
        var copy = new Element(stanza.Name, stanza.Namespace);
        foreach (var attribute in stanza.Attributes)
        {
            if (attribute.Namespace.Length == 0 && attribute.Name is "from" or "to")
            {
                continue;
            }

            copy.AddAttribute(attribute);
        }

        copy.SetAttribute("from", from?.ToString());
        copy.SetAttribute("to", to?.ToString());
        foreach (var node in stanza.Nodes)
        {
            copy.Add(node);
        }

        return copy;
    }

    public static string? Type(Element stanza) => stanza.GetAttribute("type");

    public static bool IsError(Element stanza) => Type(stanza) == "error";

    /// <summary>A stanza's 'to', or null when absent; false when present but not a valid JID.</summary>
    public static bool TryGetTo(Element stanza, out Jid? to) => TryGetAddress(stanza, "to", out to);

    public static bool TryGetAddress(Element stanza, string attribute, out Jid? address)
    {
        var text = stanza.GetAttribute(attribute);
        if (text is null)
        {
            address = null;
            return true;
        }

        return Jid.TryParse(text, out address);
    }
}
