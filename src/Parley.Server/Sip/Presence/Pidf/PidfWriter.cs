using System.Text;

namespace Parley.Server.Sip.Presence.Pidf;

/// <summary>
/// Writes PIDF (RFC 3863) with the RPID and data-model prefixes every client expects ("rpid:", "dm:"): some
/// (baresip among them) match "&lt;rpid:busy/&gt;" as text rather than parsing namespaces, so the markup is fixed,
/// not left to a general serializer. Children follow the schema's order: tuples, notes, then extensions (person).
/// </summary>
public static class PidfWriter
{
    public static byte[] Write(PidfDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var xml = new StringBuilder(512);
        xml.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
            .Append("<presence xmlns=\"").Append(PidfNamespaces.Pidf)
            .Append("\" xmlns:dm=\"").Append(PidfNamespaces.DataModel)
            .Append("\" xmlns:rpid=\"").Append(PidfNamespaces.Rpid)
            .Append("\" entity=\"").Escape(document.Entity).Append("\">\n");

        foreach (var tuple in document.Tuples)
        {
            xml.Append("<tuple id=\"").Escape(tuple.Id).Append("\"><status>");
            if (tuple.Basic != PidfBasic.Unspecified)
            {
                xml.Append("<basic>").Append(tuple.Basic == PidfBasic.Open ? "open" : "closed").Append("</basic>");
            }

            AppendActivities(xml, tuple.Activities);
            xml.Append("</status>");
            if (tuple.Contact is { } contact)
            {
                xml.Append("<contact>").Escape(contact).Append("</contact>");
            }

            if (tuple.Note is { } note)
            {
                xml.Append("<note>").Escape(note).Append("</note>");
            }

            xml.Append("</tuple>\n");
        }

        if (document.Note is { } presenceNote)
        {
            xml.Append("<note>").Escape(presenceNote).Append("</note>\n");
        }

        if (document.Person is { } person && (person.Activities.Count > 0 || person.Note is not null))
        {
            xml.Append("<dm:person id=\"").Escape(person.Id ?? "p").Append("\">");
            AppendActivities(xml, person.Activities);
            if (person.Note is { } personNote)
            {
                xml.Append("<dm:note>").Escape(personNote).Append("</dm:note>");
            }

            xml.Append("</dm:person>\n");
        }

        xml.Append("</presence>\n");
        return Encoding.UTF8.GetBytes(xml.ToString());
    }

    private static void AppendActivities(StringBuilder xml, IReadOnlyList<string> activities)
    {
        if (activities.Count == 0)
        {
            return;
        }

        xml.Append("<rpid:activities>");
        foreach (var activity in activities)
        {
            if (!IsActivityName(activity))
            {
                throw new ArgumentException($"'{activity}' is not an RPID activity element name", nameof(activities));
            }

            xml.Append("<rpid:").Append(activity).Append("/>");
        }

        xml.Append("</rpid:activities>");
    }

    /// <summary>RFC 4480 activity names are lower-case words joined by hyphens; nothing else becomes markup.</summary>
    private static bool IsActivityName(string name)
        => name.Length > 0 && char.IsAsciiLetterLower(name[0]) && name.All(c => char.IsAsciiLetterLower(c) || c == '-');

    /// <summary>Escapes markup and drops characters XML 1.0 cannot carry (controls, unpaired surrogates).</summary>
    private static StringBuilder Escape(this StringBuilder xml, string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '&': xml.Append("&amp;"); break;
                case '<': xml.Append("&lt;"); break;
                case '>': xml.Append("&gt;"); break;
                case '"': xml.Append("&quot;"); break;
                case '\t' or '\n' or '\r': xml.Append(c); break;
                case < ' ' or '\uFFFE' or '\uFFFF': break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        xml.Append(c).Append(text[++i]);
                    }
                    else if (!char.IsSurrogate(c))
                    {
                        xml.Append(c);
                    }

                    break;
            }
        }

        return xml;
    }
}
