using System.Text;
using Parley.Xmpp;
using Parley.Xmpp.Streams;
using Parley.Xmpp.Xml;

namespace Parley.Server.Messaging;

/// <summary>Parses a stanza the server stored itself (offline messages) with the same hardened parser as the network.</summary>
public sealed class StoredStanzaReader(Parley.Server.Xmpp.XmppServerOptions options)
{
    public Element? TryRead(string xml)
    {
        try
        {
            var stanzas = StandaloneXml.Parse([], Encoding.UTF8.GetBytes(xml), options.Limits, XmppNamespaces.Client, out _);
            return stanzas.Count > 0 ? stanzas[0] : null;
        }
        catch (XmppStreamException)
        {
            // A row that no longer parses (written by an older version, damaged) is skipped rather than blocking the queue.
            return null;
        }
    }
}
