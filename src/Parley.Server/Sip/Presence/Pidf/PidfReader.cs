using Parley.Xmpp;
using Parley.Xmpp.Streams;
using Parley.Xmpp.Xml;

namespace Parley.Server.Sip.Presence.Pidf;

/// <summary>
/// Reads PIDF (RFC 3863) with RPID (RFC 4480) from a peer through Parley.Xmpp's hardened parser: no DTDs, no entity
/// expansion, bounded size and depth. The document is framed as the one stanza of a stream whose default namespace is
/// PIDF's, so the parser's limits and namespace handling apply unchanged.
/// </summary>
public sealed class PidfReader(PidfLimits limits)
{
    private readonly XmppLimits _xmlLimits = new()
    {
        MaxStanzaBytes = limits.MaxDocumentBytes,
        MaxDepth = limits.MaxDepth,
    };

    public PidfLimits Limits { get; } = limits;

    /// <summary>Parses a document; throws <see cref="PidfFormatException"/> saying what is wrong with it.</summary>
    public PidfDocument Read(ReadOnlySpan<byte> body)
    {
        if (body.Length > Limits.MaxDocumentBytes)
        {
            throw new PidfFormatException($"the document has {body.Length} bytes, more than the {Limits.MaxDocumentBytes} allowed");
        }

        var root = ParseRoot(body);
        if (!root.Is("presence", PidfNamespaces.Pidf))
        {
            throw new PidfFormatException($"the root element is <{root.Name}> in '{root.Namespace}', not PIDF <presence> in '{PidfNamespaces.Pidf}'");
        }

        var entity = root.GetAttribute("entity");
        if (string.IsNullOrWhiteSpace(entity))
        {
            throw new PidfFormatException("<presence> has no 'entity' attribute (RFC 3863 §4.1.1)");
        }

        var tuples = new List<PidfTuple>();
        PidfPerson? person = null;
        string? note = null;
        foreach (var child in root.Elements())
        {
            if (child.Is("tuple", PidfNamespaces.Pidf))
            {
                if (tuples.Count == Limits.MaxTuples)
                {
                    throw new PidfFormatException($"the document has more than {Limits.MaxTuples} tuples");
                }

                tuples.Add(ReadTuple(child));
            }
            else if (child.Is("person", PidfNamespaces.DataModel))
            {
                // RFC 4479 allows several persons for one presentity only as alternative views; the first one is taken.
                person ??= new PidfPerson(child.GetAttribute("id"), Activities(child), Note(child, PidfNamespaces.DataModel));
            }
            else if (child.Is("note", PidfNamespaces.Pidf))
            {
                note ??= Clean(child.Text);
            }
        }

        return new PidfDocument(entity.Trim(), tuples, person, note);
    }

    private PidfTuple ReadTuple(Element tuple)
    {
        var id = tuple.GetAttribute("id") ?? string.Empty;
        var status = tuple.Child("status", PidfNamespaces.Pidf);
        var basic = status?.ChildText("basic", PidfNamespaces.Pidf)?.Trim() switch
        {
            null => PidfBasic.Unspecified,
            "open" => PidfBasic.Open,
            "closed" => PidfBasic.Closed,
            var other => throw new PidfFormatException($"tuple '{id}' has <basic>{Truncate(other, 32)}</basic>; only 'open' and 'closed' are defined (RFC 3863 §4.1.4)"),
        };
        var contact = tuple.ChildText("contact", PidfNamespaces.Pidf)?.Trim();
        IReadOnlyList<string> activities = status is null ? [] : Activities(status);
        return new PidfTuple(id, basic, string.IsNullOrEmpty(contact) ? null : contact, Note(tuple, PidfNamespaces.Pidf), activities);
    }

    /// <summary>Activity names in an &lt;rpid:activities/&gt; child (RFC 4480 §3.2); its notes are not activities.</summary>
    private List<string> Activities(Element parent)
    {
        var list = new List<string>();
        if (parent.Child("activities", PidfNamespaces.Rpid) is not { } activities)
        {
            return list;
        }

        foreach (var activity in activities.Elements())
        {
            if (activity.Namespace == PidfNamespaces.Rpid && activity.Name != "note" && list.Count < Limits.MaxActivities)
            {
                list.Add(activity.Name);
            }
        }

        return list;
    }

    private string? Note(Element parent, string ns)
    {
        foreach (var note in parent.Elements())
        {
            if (note.Is("note", ns) && Clean(note.Text) is { } text)
            {
                return text;
            }
        }

        return null;
    }

    private string? Clean(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length == 0 ? null : Truncate(trimmed, Limits.MaxNoteChars);
    }

    private static string Truncate(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        // Never cut a surrogate pair in half: the note is written back out as XML.
        var cut = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        return text[..cut];
    }

    private Element ParseRoot(ReadOnlySpan<byte> body)
    {
        body = body.TrimStart("\uFEFF"u8).TrimStart(" \t\r\n"u8);
        var declaration = ReadOnlySpan<byte>.Empty;
        if (body.StartsWith("<?xml"u8))
        {
            // The XML declaration may only come first, so it goes before the stream header the parser expects there.
            var end = body.IndexOf("?>"u8);
            if (end < 0)
            {
                throw new PidfFormatException("the XML declaration is not terminated");
            }

            declaration = body[..(end + 2)];
            body = body[(end + 2)..];
        }

        IReadOnlyList<Element> roots;
        bool complete;
        try
        {
            roots = StandaloneXml.Parse(declaration, body, _xmlLimits, PidfNamespaces.Pidf, out complete);
        }
        catch (XmppStreamException e)
        {
            throw new PidfFormatException($"the document is not acceptable XML: {e.Message}", e);
        }

        if (roots.Count > 1)
        {
            throw new PidfFormatException("the document has more than one root element");
        }

        if (roots.Count == 0 || !complete)
        {
            throw new PidfFormatException("the document is empty or incomplete");
        }

        return roots[0];
    }
}
