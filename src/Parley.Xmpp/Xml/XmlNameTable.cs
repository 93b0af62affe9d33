using System.Collections.Frozen;
using System.Text;
using System.Text.Unicode;

namespace Parley.Xmpp.Xml;

/// <summary>
/// Interns element names, prefixes, namespace URIs and a few common values, so the steady-state parse
/// allocates strings only for real content (ids, JIDs, bodies). One instance per parser: the dynamic part
/// is bounded, so a peer inventing names cannot grow it without limit.
/// </summary>
internal sealed class XmlNameTable
{
    /// <summary>Dynamic entries per parser; beyond that new names are allocated every time.</summary>
    internal const int MaxDynamicEntries = 256;

    /// <summary>Longer strings are never interned: long names are rare and would make lookups costly.</summary>
    internal const int MaxInternedChars = 128;

    private static readonly FrozenDictionary<string, string> WellKnown = BuildWellKnown();

    private readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _wellKnown = WellKnown.GetAlternateLookup<ReadOnlySpan<char>>();
    private Dictionary<string, string>? _dynamic;

    /// <summary>A name or namespace URI: looked up, and added to the bounded dynamic table when new.</summary>
    public string GetName(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxInternedChars)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        Span<char> chars = stackalloc char[MaxInternedChars];
        var written = Decode(utf8, chars);
        return GetName(chars[..written]);
    }

    public string GetName(ReadOnlySpan<char> chars)
    {
        if (chars.Length > MaxInternedChars)
        {
            return new string(chars);
        }

        if (_wellKnown.TryGetValue(chars, out var known))
        {
            return known;
        }

        if (_dynamic is not null && _dynamic.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(chars, out var seen))
        {
            return seen;
        }

        var created = new string(chars);
        _dynamic ??= new Dictionary<string, string>(StringComparer.Ordinal);
        if (_dynamic.Count < MaxDynamicEntries)
        {
            _dynamic[created] = created;
        }

        return created;
    }

    /// <summary>A value (attribute or short text): reuses a well-known string, never adds peer data.</summary>
    public string GetValue(ReadOnlySpan<char> chars)
    {
        if (chars.Length == 0)
        {
            return string.Empty;
        }

        if (chars.Length <= 32 && _wellKnown.TryGetValue(chars, out var known))
        {
            return known;
        }

        return new string(chars);
    }

    private static int Decode(ReadOnlySpan<byte> utf8, Span<char> chars)
    {
        // The stanza was validated as UTF-8 before tree building, so this cannot fail.
        var status = Utf8.ToUtf16(utf8, chars, out _, out var written, replaceInvalidSequences: true);
        return status == System.Buffers.OperationStatus.Done ? written : throw new InvalidOperationException("internal bug: name longer than its buffer");
    }

    private static FrozenDictionary<string, string> BuildWellKnown()
    {
        string[] strings =
        [
            // Prefixes and stream-level names.
            "stream", "db", "xml", "xmlns", "xml:lang", "version", "id", "to", "from", "type", "1.0", "en",
            "features", "error", "text", "starttls", "proceed", "failure", "required", "optional",
            "mechanisms", "mechanism", "auth", "challenge", "response", "success", "abort",
            "bind", "resource", "jid", "session", "enable", "enabled", "resume", "resumed", "r", "a", "h", "previd", "max",

            // Stanzas and common payloads.
            "message", "presence", "iq", "body", "subject", "thread", "show", "status", "priority",
            "query", "item", "group", "c", "x", "delay", "stamp", "ver", "node", "hash", "ext", "name",
            "subscription", "ask", "approved", "active", "composing", "paused", "inactive", "gone",
            "ping", "identity", "feature", "category", "var", "block", "unblock", "blocklist",
            "sm", "ack", "request", "received", "markable", "origin-id", "stanza-id", "by",

            // Values.
            "chat", "normal", "groupchat", "headline", "get", "set", "result", "unavailable",
            "subscribe", "subscribed", "unsubscribe", "unsubscribed", "probe", "away", "xa", "dnd",
            "both", "none", "remove", "sha-1", "true", "false", "client", "pc", "phone", "cancel", "modify", "wait",

            // Error conditions.
            "bad-request", "conflict", "feature-not-implemented", "forbidden", "item-not-found", "not-acceptable",
            "not-allowed", "not-authorized", "policy-violation", "recipient-unavailable", "service-unavailable",
            "internal-server-error", "undefined-condition", "unexpected-request", "jid-malformed", "resource-constraint",
            "remote-server-not-found",

            // Namespaces.
            XmppNamespaces.Client, XmppNamespaces.Server, XmppNamespaces.Streams, XmppNamespaces.Tls, XmppNamespaces.Sasl,
            XmppNamespaces.Bind, XmppNamespaces.Session, XmppNamespaces.Stanzas, XmppNamespaces.StreamErrors,
            XmppNamespaces.Roster, XmppNamespaces.Blocking, XmppNamespaces.BlockingErrors, XmppNamespaces.StreamManagement,
            XmppNamespaces.Ping, XmppNamespaces.DiscoInfo, XmppNamespaces.DiscoItems, XmppNamespaces.ChatStates,
            XmppNamespaces.Delay, XmppNamespaces.RosterVersioning, XmppNamespaces.PreApproval, XmppNamespaces.Version,
            XmppNamespaces.Caps, XmppNamespaces.Dialback, XmppNamespaces.Xml,
            "urn:xmpp:receipts", "urn:xmpp:chat-markers:0", "urn:xmpp:sid:0", "urn:xmpp:carbons:2", "jabber:x:data",
            "vcard-temp", "vcard-temp:x:update", "http://jabber.org/protocol/muc", "http://jabber.org/protocol/muc#user",
        ];

        return strings.Distinct(StringComparer.Ordinal).ToFrozenDictionary(s => s, s => s, StringComparer.Ordinal);
    }
}
