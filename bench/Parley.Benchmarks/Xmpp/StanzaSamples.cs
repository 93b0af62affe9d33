using System.Text;

namespace Parley.Benchmarks.Xmpp;

/// <summary>Stanzas as real clients send them (Conversations/Gajim style), used by the parsing and serialisation benchmarks.</summary>
internal static class StanzaSamples
{
    public const string ClientHeader =
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0' xml:lang='en'>";

    public const string Message =
        "<message xmlns='jabber:client' to='juliet@example.com' from='romeo@example.net/orchard' type='chat' id='5a1e8b0c-7d4f-4f2e-9a51-3c2f0b6d9e11'>" +
        "<body>Wherefore art thou, Romeo? Deny thy father and refuse thy name.</body>" +
        "<active xmlns='http://jabber.org/protocol/chatstates'/>" +
        "<request xmlns='urn:xmpp:receipts'/>" +
        "<origin-id xmlns='urn:xmpp:sid:0' id='5a1e8b0c-7d4f-4f2e-9a51-3c2f0b6d9e11'/></message>";

    public const string Presence =
        "<presence xmlns='jabber:client' from='romeo@example.net/orchard' id='p1'>" +
        "<show>away</show><status>In the orchard &amp; back soon</status><priority>5</priority>" +
        "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://conversations.im' ver='Kr6fsaN3kHn+lKfQf7OdYd6rOPE='/>" +
        "<x xmlns='vcard-temp:x:update'><photo>01b87fcd030b72895ff8e88db57ec525450f000d</photo></x></presence>";

    public static readonly string RosterResult = BuildRoster(20);

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string BuildRoster(int items)
    {
        var builder = new StringBuilder("<iq xmlns='jabber:client' to='romeo@example.net/orchard' type='result' id='roster-1'><query xmlns='jabber:iq:roster' ver='ver14'>");
        for (var i = 0; i < items; i++)
        {
            builder.Append($"<item jid='contact{i}@example.org' name='Contact Number {i}' subscription='both'><group>Friends</group></item>");
        }

        return builder.Append("</query></iq>").ToString();
    }
}
