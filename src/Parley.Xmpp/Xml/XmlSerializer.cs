using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Parley.Xmpp.Xml;

/// <summary>Serialises <see cref="Element"/> trees to UTF-8 with minimal escaping.</summary>
/// <remarks>
/// Attribute values are always single-quoted. Elements in the streams namespace (stream:features, stream:error)
/// are written with the "stream" prefix: inside a stream the header declares it, standalone (no parent namespace)
/// the root declares it. Characters XML cannot carry (C0 controls, U+FFFE/U+FFFF, lone surrogates) are written
/// as U+FFFD so one bad string cannot break the peer's stream.
/// </remarks>
internal static class XmlSerializer
{
    private static readonly SearchValues<char> TextSpecials = SearchValues.Create(BuildSpecials("&<>\r"));
    private static readonly SearchValues<char> AttributeSpecials = SearchValues.Create(BuildSpecials("&<'\"\t\n\r"));

    public static void Write(Element element, IBufferWriter<byte> writer, string? parentNamespace)
    {
        ArgumentNullException.ThrowIfNull(element);
        ArgumentNullException.ThrowIfNull(writer);
        WriteElement(element, writer, parentNamespace ?? string.Empty, streamPrefixDeclared: parentNamespace is not null);
    }

    public static string ToXml(Element element, string? parentNamespace)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(element, buffer, parentNamespace);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteElement(Element element, IBufferWriter<byte> writer, string defaultNamespace, bool streamPrefixDeclared)
    {
        var prefixed = element.Namespace == XmppNamespaces.Streams;
        WriteRaw(writer, "<"u8);
        if (prefixed)
        {
            WriteRaw(writer, "stream:"u8);
        }

        WriteName(writer, element.Name);
        if (prefixed)
        {
            if (!streamPrefixDeclared)
            {
                WriteRaw(writer, " xmlns:stream='"u8);
                WriteRaw(writer, "http://etherx.jabber.org/streams'"u8);
                streamPrefixDeclared = true;
            }
        }
        else if (element.Namespace != defaultNamespace)
        {
            WriteRaw(writer, " xmlns='"u8);
            WriteEscaped(writer, element.Namespace, AttributeSpecials);
            WriteRaw(writer, "'"u8);
            defaultNamespace = element.Namespace;
        }

        WriteAttributes(element, writer);

        var nodes = element.Nodes;
        if (nodes.Count == 0)
        {
            WriteRaw(writer, "/>"u8);
            return;
        }

        WriteRaw(writer, ">"u8);

        // Indexed loops: foreach over the IReadOnlyList interfaces would box an enumerator per element.
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            if (node is Element child)
            {
                WriteElement(child, writer, defaultNamespace, streamPrefixDeclared);
            }
            else
            {
                WriteEscaped(writer, ((XmlText)node).Value, TextSpecials);
            }
        }

        WriteRaw(writer, "</"u8);
        if (prefixed)
        {
            WriteRaw(writer, "stream:"u8);
        }

        WriteName(writer, element.Name);
        WriteRaw(writer, ">"u8);
    }

    private static void WriteAttributes(Element element, IBufferWriter<byte> writer)
    {
        var attributes = element.Attributes;
        // Namespaced attributes get prefixes declared on this element: ns0, ns1... in order of first use.
        List<string>? prefixedNamespaces = null;
        for (var i = 0; i < attributes.Count; i++)
        {
            var attribute = attributes[i];
            WriteRaw(writer, " "u8);
            if (attribute.Namespace.Length == 0)
            {
                WriteName(writer, attribute.Name);
            }
            else if (attribute.Namespace == XmppNamespaces.Xml)
            {
                if (!attribute.Name.StartsWith("xml:", StringComparison.Ordinal))
                {
                    WriteRaw(writer, "xml:"u8);
                }

                WriteName(writer, attribute.Name);
            }
            else
            {
                prefixedNamespaces ??= [];
                var index = prefixedNamespaces.IndexOf(attribute.Namespace);
                if (index < 0)
                {
                    index = prefixedNamespaces.Count;
                    prefixedNamespaces.Add(attribute.Namespace);
                    WritePrefix(writer, "xmlns:ns"u8, index);
                    WriteRaw(writer, "='"u8);
                    WriteEscaped(writer, attribute.Namespace, AttributeSpecials);
                    WriteRaw(writer, "' "u8);
                }

                WritePrefix(writer, "ns"u8, index);
                WriteRaw(writer, ":"u8);
                WriteName(writer, attribute.Name);
            }

            WriteRaw(writer, "='"u8);
            WriteEscaped(writer, attribute.Value, AttributeSpecials);
            WriteRaw(writer, "'"u8);
        }
    }

    private static void WritePrefix(IBufferWriter<byte> writer, ReadOnlySpan<byte> stem, int index)
    {
        WriteRaw(writer, stem);
        var span = writer.GetSpan(11);
        index.TryFormat(span, out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        writer.Advance(written);
    }

    private static void WriteName(IBufferWriter<byte> writer, string name) => WriteUtf8(writer, name);

    /// <summary>Writes <paramref name="value"/>, replacing characters in <paramref name="specials"/> by references.</summary>
    internal static void WriteEscaped(IBufferWriter<byte> writer, string value, SearchValues<char> specials)
    {
        var rest = value.AsSpan();
        while (!rest.IsEmpty)
        {
            var index = rest.IndexOfAny(specials);
            if (index < 0)
            {
                WriteUtf8(writer, rest);
                return;
            }

            WriteUtf8(writer, rest[..index]);
            WriteRaw(writer, rest[index] switch
            {
                '&' => "&amp;"u8,
                '<' => "&lt;"u8,
                '>' => "&gt;"u8,
                '\'' => "&apos;"u8,
                '"' => "&quot;"u8,
                '\t' => "&#9;"u8,
                '\n' => "&#10;"u8,
                '\r' => "&#13;"u8,
                _ => "\uFFFD"u8,
            });
            rest = rest[(index + 1)..];
        }
    }

    internal static SearchValues<char> AttributeValueSpecials => AttributeSpecials;

    internal static SearchValues<char> TextValueSpecials => TextSpecials;

    internal static void WriteRaw(IBufferWriter<byte> writer, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(writer.GetSpan(bytes.Length));
        writer.Advance(bytes.Length);
    }

    private static void WriteUtf8(IBufferWriter<byte> writer, ReadOnlySpan<char> chars)
    {
        while (!chars.IsEmpty)
        {
            // Each UTF-16 char needs at most 3 bytes; ask for a bounded chunk and let the transcoder stop at pair boundaries.
            var destination = writer.GetSpan(Math.Min(chars.Length * 3, 16 * 1024));
            Utf8.FromUtf16(chars, destination, out var read, out var written, replaceInvalidSequences: true, isFinalBlock: true);
            writer.Advance(written);
            chars = chars[read..];
        }
    }

    /// <summary>The escaped characters plus every character XML 1.0 cannot carry (written as U+FFFD).</summary>
    private static string BuildSpecials(string escaped)
    {
        var builder = new StringBuilder(escaped);
        for (var c = '\0'; c < ' '; c++)
        {
            if (c is not ('\t' or '\n' or '\r'))
            {
                builder.Append(c);
            }
        }

        return builder.Append('\uFFFE').Append('\uFFFF').ToString();
    }
}
