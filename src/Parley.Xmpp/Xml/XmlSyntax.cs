using System.Buffers;
using System.Text.Unicode;
using Parley.Xmpp.Streams;

namespace Parley.Xmpp.Xml;

/// <summary>Byte-level XML 1.0 character classes shared by the parser and the serializer.</summary>
internal static class XmlSyntax
{
    /// <summary>XML white space (production S).</summary>
    public static ReadOnlySpan<byte> Whitespace => " \t\r\n"u8;

    /// <summary>C0 controls other than tab, LF and CR: never allowed in XML 1.0, not even as references.</summary>
    private static readonly SearchValues<byte> ForbiddenControlBytes = SearchValues.Create(
        [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0B, 0x0C, 0x0E, 0x0F,
         0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F]);

    public static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    /// <summary>
    /// Rejects bytes that are not well-formed UTF-8 or encode characters outside the XML Char production
    /// (controls, U+FFFE, U+FFFF; surrogates are already invalid UTF-8).
    /// </summary>
    public static void ValidateCharacters(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IndexOfAny(ForbiddenControlBytes) >= 0)
        {
            XmppStreamThrow.NotWellFormed("control character in XML");
        }

        if (!Utf8.IsValid(utf8))
        {
            XmppStreamThrow.NotWellFormed("invalid UTF-8");
        }

        // U+FFFE and U+FFFF are EF BF BE and EF BF BF.
        var rest = utf8;
        int index;
        while ((index = rest.IndexOf((byte)0xEF)) >= 0)
        {
            if (index + 2 < rest.Length && rest[index + 1] == 0xBF && rest[index + 2] is 0xBE or 0xBF)
            {
                XmppStreamThrow.NotWellFormed("non-character U+FFFE or U+FFFF in XML");
            }

            rest = rest[(index + 1)..];
        }
    }

    /// <summary>XML Char production for a code point from a character reference.</summary>
    public static bool IsXmlChar(int codePoint) => codePoint switch
    {
        0x9 or 0xA or 0xD => true,
        >= 0x20 and <= 0xD7FF => true,
        >= 0xE000 and <= 0xFFFD => true,
        >= 0x10000 and <= 0x10FFFF => true,
        _ => false,
    };

    /// <summary>
    /// NameStartChar, approximated for non-ASCII: every byte of a multi-byte sequence is accepted
    /// (the stanza is already valid UTF-8, and exotic names do no harm).
    /// </summary>
    public static bool IsNameStartByte(byte b) => b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (byte)'_' or (byte)':' or >= 0x80;

    public static bool IsNameByte(byte b) => IsNameStartByte(b) || b is (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'.';

    /// <summary>XML Char for a UTF-16 char in output: controls other than tab/LF/CR and U+FFFE/U+FFFF are not representable.</summary>
    public static bool IsForbiddenChar(char c) => (c < 0x20 && c is not ('\t' or '\n' or '\r')) || c is '\uFFFE' or '\uFFFF';
}
