using System.Globalization;
using System.Text;
using System.Xml;

namespace Parley.Server.Sip.Messaging;

/// <summary>
/// RFC 3994 isComposing documents (application/im-iscomposing+xml) to and from XEP-0085 chat states:
/// "active" (composing) ↔ composing; "idle" ↔ paused (and active, inactive, gone, which all mean "not typing").
/// </summary>
public static class IsComposingCodec
{
    public const string ContentType = "application/im-iscomposing+xml";
    public const string Namespace = "urn:ietf:params:xml:ns:im-iscomposing";

    /// <summary>Largest document accepted; real ones are about 250 bytes.</summary>
    public const int MaxDocumentBytes = 4096;

    /// <summary>The document for a chat state; <paramref name="refresh"/> (seconds) only with composing, as RFC 3994 §3 allows.</summary>
    public static byte[] Encode(ChatState state, int? refresh = null)
    {
        var composing = state == ChatState.Composing;
        var builder = new StringBuilder(256)
            .Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n")
            .Append("<isComposing xmlns=\"").Append(Namespace).Append("\">")
            .Append("<state>").Append(composing ? "active" : "idle").Append("</state>")
            .Append("<contenttype>text/plain</contenttype>");
        if (composing && refresh is { } seconds)
        {
            builder.Append("<refresh>").Append(seconds.ToString(CultureInfo.InvariantCulture)).Append("</refresh>");
        }

        builder.Append("</isComposing>");
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>
    /// The chat state of a document, or null when it is not a well-formed isComposing document. No DTDs, no entities,
    /// bounded size: bodies come from untrusted clients.
    /// </summary>
    public static ChatState? Decode(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty || body.Length > MaxDocumentBytes)
        {
            return null;
        }

        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = MaxDocumentBytes,
            IgnoreComments = true,
            IgnoreWhitespace = true,
            IgnoreProcessingInstructions = true,
        };
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(body.ToArray(), writable: false), settings);
            if (reader.MoveToContent() != XmlNodeType.Element || reader.LocalName != "isComposing" || reader.NamespaceURI != Namespace)
            {
                return null;
            }

            string? state = null;
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "state" && reader.NamespaceURI == Namespace)
                {
                    state = reader.ReadElementContentAsString().Trim();
                    break;
                }
            }

            return state switch
            {
                "active" => ChatState.Composing,
                "idle" => ChatState.Paused,
                _ => null,
            };
        }
        catch (XmlException)
        {
            return null;
        }
    }
}
