using Parley.Xmpp.Xml;

namespace Parley.Xmpp.Streams;

/// <summary>The stream header and the closing tag (RFC 6120 §4.7, §4.8).</summary>
public sealed partial class XmppStreamParser
{
    /// <summary>The header's qualified name ("stream:stream"), which the closing tag must repeat.</summary>
    private byte[]? _streamQualifiedName;

    private Element ParseHeader(ReadOnlySpan<byte> s)
    {
        XmlSyntax.ValidateCharacters(s);
        var pos = 0;
        if (s.StartsWith("<?"u8))
        {
            if (!s.StartsWith("<?xml"u8) || s.Length < 6 || !XmlSyntax.IsWhitespace(s[5]))
            {
                XmppStreamThrow.RestrictedXml("processing instructions are not allowed");
            }

            var end = s.IndexOf("?>"u8);
            if (end < 0)
            {
                XmppStreamThrow.NotWellFormed("unterminated XML declaration");
            }

            ParseXmlDeclaration(s[5..end]);
            pos = end + 2;
        }

        SkipSpace(s, ref pos);
        if (pos >= s.Length || s[pos] != (byte)'<')
        {
            XmppStreamThrow.NotWellFormed("stream header expected");
        }

        _scope.Clear();
        _charCount = 0;
        var header = ParseStartTag(s, ref pos, out var selfClosing, out var nameStart, out var nameLength);
        var qualifiedName = s.Slice(nameStart, nameLength);
        if (!qualifiedName.StartsWith("stream:"u8))
        {
            XmppStreamThrow.BadNamespacePrefix("the stream element must use the prefix 'stream'");
        }

        if (header.Namespace != XmppNamespaces.Streams)
        {
            XmppStreamThrow.InvalidNamespace("the stream prefix is not bound to the streams namespace");
        }

        if (header.Name != "stream")
        {
            XmppStreamThrow.Stream(XmppStreamErrorReason.BadFormat, "the root element is not 'stream'");
        }

        if (_scope.Lookup(string.Empty) != DefaultNamespace)
        {
            XmppStreamThrow.InvalidNamespace("the default namespace is not the expected content namespace");
        }

        if (selfClosing || pos != s.Length)
        {
            XmppStreamThrow.Stream(XmppStreamErrorReason.BadFormat, "the stream header must open the stream");
        }

        _streamQualifiedName = qualifiedName.ToArray();
        _streamScopeMark = _scope.Mark;
        return header;
    }

    /// <summary>version (required), then optional encoding (UTF-8 only, RFC 6120 §11.6) and standalone.</summary>
    private static void ParseXmlDeclaration(ReadOnlySpan<byte> s)
    {
        var pos = 0;
        var seen = 0;
        while (true)
        {
            var sawSpace = SkipSpace(s, ref pos);
            if (pos == s.Length)
            {
                break;
            }

            if (!sawSpace)
            {
                XmppStreamThrow.NotWellFormed("malformed XML declaration");
            }

            var nameStart = pos;
            ReadName(s, ref pos, out var nameLength);
            var name = s.Slice(nameStart, nameLength);
            SkipSpace(s, ref pos);
            Expect(s, ref pos, (byte)'=', "malformed XML declaration");
            SkipSpace(s, ref pos);
            if (pos >= s.Length || s[pos] is not ((byte)'\'' or (byte)'"'))
            {
                XmppStreamThrow.NotWellFormed("malformed XML declaration");
            }

            var quote = s[pos++];
            var length = s[pos..].IndexOf(quote);
            if (length < 0)
            {
                XmppStreamThrow.NotWellFormed("malformed XML declaration");
            }

            var value = s.Slice(pos, length);
            pos += length + 1;

            if (seen == 0 && name.SequenceEqual("version"u8))
            {
                if (!value.StartsWith("1."u8))
                {
                    XmppStreamThrow.Stream(XmppStreamErrorReason.UnsupportedVersion, "unsupported XML version");
                }
            }
            else if (seen > 0 && name.SequenceEqual("encoding"u8))
            {
                if (!System.Text.Ascii.EqualsIgnoreCase(value, "UTF-8"u8))
                {
                    XmppStreamThrow.Stream(XmppStreamErrorReason.UnsupportedEncoding, "only UTF-8 is supported");
                }
            }
            else if (seen == 0 || !name.SequenceEqual("standalone"u8))
            {
                XmppStreamThrow.NotWellFormed("malformed XML declaration");
            }

            seen++;
        }

        if (seen == 0)
        {
            XmppStreamThrow.NotWellFormed("XML declaration without a version");
        }
    }

    private void ParseStreamEnd(ReadOnlySpan<byte> s)
    {
        var pos = 2;
        var nameStart = pos;
        if (s.Length < 3 || !s.StartsWith("</"u8))
        {
            XmppStreamThrow.NotWellFormed("malformed closing tag");
        }

        ReadName(s, ref pos, out _);
        if (_streamQualifiedName is null || !s[nameStart..pos].SequenceEqual(_streamQualifiedName))
        {
            XmppStreamThrow.NotWellFormed("closing tag does not match the stream header");
        }

        SkipSpace(s, ref pos);
        Expect(s, ref pos, (byte)'>', "malformed closing tag");
        if (pos != s.Length)
        {
            XmppStreamThrow.NotWellFormed("malformed closing tag");
        }
    }
}
