using System.Buffers;
using System.Text;
using System.Text.Unicode;
using Parley.Xmpp.Xml;

namespace Parley.Xmpp.Streams;

/// <summary>
/// The tree builder: validates one complete frame and turns it into an <see cref="Element"/> in a single pass,
/// iteratively (an explicit stack, so depth never touches the call stack).
/// </summary>
public sealed partial class XmppStreamParser
{
    private OpenElement[] _open = new OpenElement[8];
    private RawAttribute[] _rawAttributes = new RawAttribute[8];
    private int _rawAttributeCount;

    /// <summary>
    /// Decoded text waiting to become an <see cref="XmlText"/>. A small array is kept for the connection's life; text
    /// longer than that goes into a pooled array returned after the stanza, so an idle connection holds no big buffer
    /// (memory per session is a target: tens of thousands of mostly idle connections).
    /// </summary>
    private readonly char[] _ownChars = new char[SmallTextChars];
    private char[] _chars;
    private int _charCount;

    private const int SmallTextChars = 128;

    /// <summary>The header's namespace bindings are in scope for every stanza; stanza bindings go above this mark.</summary>
    private int _streamScopeMark;

    private readonly record struct OpenElement(Element Element, int NameStart, int NameLength, int ScopeMark);

    private readonly record struct RawAttribute(int NameStart, int NameLength, int Colon, int ValueStart, int ValueLength);

    private Element ParseStanza(ReadOnlySpan<byte> s)
    {
        XmlSyntax.ValidateCharacters(s);
        _scope.PopTo(_streamScopeMark);
        _charCount = 0;

        Element? root = null;
        var openCount = 0;
        var pos = 0;
        while (pos < s.Length)
        {
            if (s[pos] != (byte)'<')
            {
                var textEnd = s[pos..].IndexOf((byte)'<');
                if (textEnd < 0 || openCount == 0)
                {
                    XmppStreamThrow.NotWellFormed("text outside the stanza element");
                }

                AppendText(s.Slice(pos, textEnd));
                pos += textEnd;
                continue;
            }

            var next = pos + 1 < s.Length ? s[pos + 1] : (byte)0;
            if (next == (byte)'!')
            {
                if (!s[pos..].StartsWith("<![CDATA["u8) || openCount == 0)
                {
                    XmppStreamThrow.RestrictedXml("markup declarations are not allowed");
                }

                var contentStart = pos + 9;
                var cdataEnd = s[contentStart..].IndexOf("]]>"u8);
                if (cdataEnd < 0)
                {
                    XmppStreamThrow.NotWellFormed("unterminated CDATA section");
                }

                AppendCharacterData(s.Slice(contentStart, cdataEnd));
                pos = contentStart + cdataEnd + 3;
                continue;
            }

            if (openCount > 0)
            {
                FlushText(_open[openCount - 1].Element);
            }

            if (next == (byte)'/')
            {
                if (openCount == 0)
                {
                    XmppStreamThrow.NotWellFormed("end tag without a start tag");
                }

                pos += 2;
                var nameStart = pos;
                ReadName(s, ref pos, out _);
                var top = _open[openCount - 1];
                if (!s.Slice(nameStart, pos - nameStart).SequenceEqual(s.Slice(top.NameStart, top.NameLength)))
                {
                    XmppStreamThrow.NotWellFormed("end tag does not match the start tag");
                }

                SkipSpace(s, ref pos);
                Expect(s, ref pos, (byte)'>', "end tag not closed by '>'");
                _scope.PopTo(top.ScopeMark);
                _open[--openCount] = default;
                if (openCount == 0)
                {
                    break;
                }

                continue;
            }

            if (root is not null && openCount == 0)
            {
                XmppStreamThrow.NotWellFormed("more than one element in a frame");
            }

            var scopeMark = _scope.Mark;
            var element = ParseStartTag(s, ref pos, out var selfClosing, out var qualifiedNameStart, out var qualifiedNameLength);
            if (openCount > 0)
            {
                _open[openCount - 1].Element.Add(element);
            }
            else
            {
                root = element;
            }

            if (selfClosing)
            {
                _scope.PopTo(scopeMark);
                if (openCount == 0)
                {
                    break;
                }

                continue;
            }

            if (openCount >= Limits.MaxDepth)
            {
                XmppStreamThrow.PolicyViolation("elements nested too deeply");
            }

            if (openCount == _open.Length)
            {
                Array.Resize(ref _open, _open.Length * 2);
            }

            _open[openCount++] = new OpenElement(element, qualifiedNameStart, qualifiedNameLength, scopeMark);
        }

        if (root is null || openCount != 0 || pos != s.Length)
        {
            XmppStreamThrow.NotWellFormed("incomplete or trailing content in a stanza");
        }

        return root;
    }

    /// <summary>
    /// Parses "&lt;name attr='v' ...&gt;" or ".../&gt;" at <paramref name="pos"/>, declares its namespace bindings
    /// in <see cref="_scope"/> and returns the element with resolved names.
    /// </summary>
    private Element ParseStartTag(ReadOnlySpan<byte> s, ref int pos, out bool selfClosing, out int nameStart, out int nameLength)
    {
        pos++;
        nameStart = pos;
        var colon = ReadName(s, ref pos, out _);
        nameLength = pos - nameStart;

        _rawAttributeCount = 0;
        while (true)
        {
            var sawSpace = SkipSpace(s, ref pos);
            if (pos >= s.Length)
            {
                XmppStreamThrow.NotWellFormed("unterminated start tag");
            }

            var b = s[pos];
            if (b == (byte)'>')
            {
                pos++;
                selfClosing = false;
                break;
            }

            if (b == (byte)'/')
            {
                pos++;
                Expect(s, ref pos, (byte)'>', "'/' not followed by '>' in a start tag");
                selfClosing = true;
                break;
            }

            if (!sawSpace)
            {
                XmppStreamThrow.NotWellFormed("attributes must be separated by white space");
            }

            var attributeStart = pos;
            var attributeColon = ReadName(s, ref pos, out _);
            var attributeLength = pos - attributeStart;
            SkipSpace(s, ref pos);
            Expect(s, ref pos, (byte)'=', "attribute without '='");
            SkipSpace(s, ref pos);
            if (pos >= s.Length || s[pos] is not ((byte)'\'' or (byte)'"'))
            {
                XmppStreamThrow.NotWellFormed("unquoted attribute value");
            }

            var quote = s[pos++];
            var valueLength = s[pos..].IndexOf(quote);
            if (valueLength < 0)
            {
                XmppStreamThrow.NotWellFormed("unterminated attribute value");
            }

            if (_rawAttributeCount == Limits.MaxAttributesPerElement)
            {
                XmppStreamThrow.PolicyViolation("too many attributes on an element");
            }

            if (_rawAttributeCount == _rawAttributes.Length)
            {
                Array.Resize(ref _rawAttributes, _rawAttributes.Length * 2);
            }

            _rawAttributes[_rawAttributeCount++] = new RawAttribute(attributeStart, attributeLength, attributeColon, pos, valueLength);
            pos += valueLength + 1;
        }

        var attributes = _rawAttributes.AsSpan(0, _rawAttributeCount);
        for (var i = 1; i < attributes.Length; i++)
        {
            var name = s.Slice(attributes[i].NameStart, attributes[i].NameLength);
            for (var j = 0; j < i; j++)
            {
                if (name.SequenceEqual(s.Slice(attributes[j].NameStart, attributes[j].NameLength)))
                {
                    XmppStreamThrow.NotWellFormed("duplicate attribute");
                }
            }
        }

        // Declarations first: they apply to the element's own name and attributes.
        var prefixedAttributes = 0;
        var declarations = 0;
        foreach (var attribute in attributes)
        {
            var name = s.Slice(attribute.NameStart, attribute.NameLength);
            if (name.SequenceEqual("xmlns"u8))
            {
                declarations++;
                _scope.Declare(string.Empty, DecodeAttributeValue(s.Slice(attribute.ValueStart, attribute.ValueLength), asName: true));
            }
            else if (attribute.Colon == 5 && name.StartsWith("xmlns:"u8))
            {
                declarations++;
                var prefix = _names.GetName(name[6..]);
                _scope.Declare(prefix, DecodeAttributeValue(s.Slice(attribute.ValueStart, attribute.ValueLength), asName: true));
            }
            else if (attribute.Colon >= 0)
            {
                prefixedAttributes++;
            }
        }

        var qualifiedName = s.Slice(nameStart, nameLength);
        Element element;
        if (colon < 0)
        {
            element = new Element(_names.GetName(qualifiedName), _scope.DefaultNamespace);
        }
        else
        {
            var ns = _scope.Lookup(_names.GetName(qualifiedName[..colon]));
            if (ns is null)
            {
                XmppStreamThrow.BadNamespacePrefix("element prefix is not bound");
            }

            element = new Element(_names.GetName(qualifiedName[(colon + 1)..]), ns);
        }

        element.EnsureAttributeCapacity(attributes.Length - declarations);
        foreach (var attribute in attributes)
        {
            var name = s.Slice(attribute.NameStart, attribute.NameLength);
            if (name.SequenceEqual("xmlns"u8) || (attribute.Colon == 5 && name.StartsWith("xmlns:"u8)))
            {
                continue;
            }

            var value = DecodeAttributeValue(s.Slice(attribute.ValueStart, attribute.ValueLength), asName: false);
            if (attribute.Colon < 0 || (attribute.Colon == 3 && name.StartsWith("xml:"u8)))
            {
                // Unprefixed attributes have no namespace; xml:* (xml:lang) keep their qualified name, as Element expects.
                element.AddAttribute(new XmlAttribute(_names.GetName(name), value));
                continue;
            }

            var attributeNamespace = _scope.Lookup(_names.GetName(name[..attribute.Colon]));
            if (attributeNamespace is null)
            {
                XmppStreamThrow.BadNamespacePrefix("attribute prefix is not bound");
            }

            element.AddAttribute(new XmlAttribute(_names.GetName(name[(attribute.Colon + 1)..]), value, attributeNamespace));
        }

        if (prefixedAttributes > 1)
        {
            RejectDuplicateExpandedNames(element);
        }

        return element;
    }

    /// <summary>Two prefixes bound to one URI can still name the same attribute (Namespaces in XML §6.3).</summary>
    private static void RejectDuplicateExpandedNames(Element element)
    {
        var attributes = element.Attributes;
        for (var i = 1; i < attributes.Count; i++)
        {
            if (attributes[i].Namespace.Length == 0)
            {
                continue;
            }

            for (var j = 0; j < i; j++)
            {
                if (attributes[j].Name == attributes[i].Name && attributes[j].Namespace == attributes[i].Namespace)
                {
                    XmppStreamThrow.NotWellFormed("duplicate attribute");
                }
            }
        }
    }

    /// <summary>Reads a QName; returns the colon's offset from the name start, or -1.</summary>
    private static int ReadName(ReadOnlySpan<byte> s, ref int pos, out int length)
    {
        var start = pos;
        if (pos >= s.Length || !XmlSyntax.IsNameStartByte(s[pos]) || s[pos] == (byte)':')
        {
            XmppStreamThrow.NotWellFormed("invalid name");
        }

        var colon = -1;
        while (pos < s.Length && XmlSyntax.IsNameByte(s[pos]))
        {
            if (s[pos] == (byte)':')
            {
                if (colon >= 0)
                {
                    XmppStreamThrow.NotWellFormed("name with more than one colon");
                }

                colon = pos - start;
            }

            pos++;
        }

        length = pos - start;
        if (colon == length - 1 || (colon > 0 && !XmlSyntax.IsNameStartByte(s[start + colon + 1])))
        {
            XmppStreamThrow.NotWellFormed("invalid qualified name");
        }

        return colon;
    }

    private static bool SkipSpace(ReadOnlySpan<byte> s, ref int pos)
    {
        var start = pos;
        while (pos < s.Length && XmlSyntax.IsWhitespace(s[pos]))
        {
            pos++;
        }

        return pos > start;
    }

    private static void Expect(ReadOnlySpan<byte> s, ref int pos, byte expected, string detail)
    {
        if (pos >= s.Length || s[pos] != expected)
        {
            XmppStreamThrow.NotWellFormed(detail);
        }

        pos++;
    }

    private void FlushText(Element parent)
    {
        if (_charCount == 0)
        {
            return;
        }

        parent.Add(new XmlText(_names.GetValue(_chars.AsSpan(0, _charCount))));
        _charCount = 0;
    }

    /// <summary>Character data: references decoded, line ends normalised to LF (XML §2.11).</summary>
    private void AppendText(ReadOnlySpan<byte> text)
    {
        if (text.IndexOf("]]>"u8) >= 0)
        {
            XmppStreamThrow.NotWellFormed("']]>' in character data");
        }

        while (!text.IsEmpty)
        {
            var special = text.IndexOfAny((byte)'&', (byte)'\r');
            if (special < 0)
            {
                AppendUtf8(text);
                return;
            }

            AppendUtf8(text[..special]);
            if (text[special] == (byte)'\r')
            {
                AppendChar('\n');
                text = text[(special + 1)..];
                if (!text.IsEmpty && text[0] == (byte)'\n')
                {
                    text = text[1..];
                }
            }
            else
            {
                text = text[(special + AppendReference(text[special..]))..];
            }
        }
    }

    /// <summary>CDATA content: literal, only line ends normalised.</summary>
    private void AppendCharacterData(ReadOnlySpan<byte> text)
    {
        while (!text.IsEmpty)
        {
            var cr = text.IndexOf((byte)'\r');
            if (cr < 0)
            {
                AppendUtf8(text);
                return;
            }

            AppendUtf8(text[..cr]);
            AppendChar('\n');
            text = text[(cr + 1)..];
            if (!text.IsEmpty && text[0] == (byte)'\n')
            {
                text = text[1..];
            }
        }
    }

    /// <summary>
    /// Attribute value normalisation (XML §3.3.3): references decoded, literal white space (and CR LF) becomes
    /// one space each. Namespace URIs are interned as names; other values reuse well-known strings only.
    /// </summary>
    private string DecodeAttributeValue(ReadOnlySpan<byte> value, bool asName)
    {
        _charCount = 0;
        while (!value.IsEmpty)
        {
            var special = value.IndexOfAny(AttributeSpecials);
            if (special < 0)
            {
                AppendUtf8(value);
                break;
            }

            AppendUtf8(value[..special]);
            switch (value[special])
            {
                case (byte)'&':
                    value = value[(special + AppendReference(value[special..]))..];
                    continue;
                case (byte)'<':
                    XmppStreamThrow.NotWellFormed("'<' in an attribute value");
                    break;
                case (byte)'\r':
                    AppendChar(' ');
                    value = value[(special + 1)..];
                    if (!value.IsEmpty && value[0] == (byte)'\n')
                    {
                        value = value[1..];
                    }

                    continue;
                default:
                    AppendChar(' ');
                    break;
            }

            value = value[(special + 1)..];
        }

        var chars = _chars.AsSpan(0, _charCount);
        _charCount = 0;
        return asName ? _names.GetName(chars) : _names.GetValue(chars);
    }

    private static readonly SearchValues<byte> AttributeSpecials = SearchValues.Create("&<\r\n\t"u8);

    /// <summary>Decodes "&amp;...;" at the start of <paramref name="text"/>; returns the bytes consumed.</summary>
    private int AppendReference(ReadOnlySpan<byte> text)
    {
        // The longest legal reference is "&#x10FFFF;" (10 bytes) or "&#1114111;"; allow leading zeros up to a bound.
        var window = text.Length > 32 ? text[..32] : text;
        var semicolon = window.IndexOf((byte)';');
        if (semicolon < 2)
        {
            XmppStreamThrow.NotWellFormed("'&' not starting a reference");
        }

        var body = text[1..semicolon];
        if (body[0] == (byte)'#')
        {
            AppendCodePoint(ParseCharacterReference(body[1..]));
            return semicolon + 1;
        }

        char c = body switch
        {
            _ when body.SequenceEqual("lt"u8) => '<',
            _ when body.SequenceEqual("gt"u8) => '>',
            _ when body.SequenceEqual("amp"u8) => '&',
            _ when body.SequenceEqual("quot"u8) => '"',
            _ when body.SequenceEqual("apos"u8) => '\'',
            _ => '\0',
        };

        if (c == '\0')
        {
            XmppStreamThrow.RestrictedXml("entity references other than the predefined five are not allowed");
        }

        AppendChar(c);
        return semicolon + 1;
    }

    private static int ParseCharacterReference(ReadOnlySpan<byte> digits)
    {
        var hex = !digits.IsEmpty && digits[0] == (byte)'x';
        if (hex)
        {
            digits = digits[1..];
        }

        if (digits.IsEmpty)
        {
            XmppStreamThrow.NotWellFormed("empty character reference");
        }

        var value = 0;
        foreach (var d in digits)
        {
            int digit = d switch
            {
                >= (byte)'0' and <= (byte)'9' => d - '0',
                >= (byte)'a' and <= (byte)'f' when hex => d - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' when hex => d - 'A' + 10,
                _ => -1,
            };

            if (digit < 0)
            {
                XmppStreamThrow.NotWellFormed("invalid character reference");
            }

            value = (value * (hex ? 16 : 10)) + digit;
            if (value > 0x10FFFF)
            {
                XmppStreamThrow.NotWellFormed("character reference out of range");
            }
        }

        if (!XmlSyntax.IsXmlChar(value))
        {
            XmppStreamThrow.NotWellFormed("character reference to a character XML forbids");
        }

        return value;
    }

    private void AppendUtf8(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return;
        }

        // UTF-16 never needs more chars than UTF-8 has bytes.
        EnsureChars(utf8.Length);
        var status = Utf8.ToUtf16(utf8, _chars.AsSpan(_charCount), out _, out var written, replaceInvalidSequences: false);
        if (status != OperationStatus.Done)
        {
            XmppStreamThrow.NotWellFormed("invalid UTF-8");
        }

        _charCount += written;
    }

    private void AppendChar(char c)
    {
        EnsureChars(1);
        _chars[_charCount++] = c;
    }

    private void AppendCodePoint(int codePoint)
    {
        EnsureChars(2);
        _charCount += new Rune(codePoint).EncodeToUtf16(_chars.AsSpan(_charCount));
    }

    private void EnsureChars(int more)
    {
        if (_charCount + more > _chars.Length)
        {
            var bigger = ArrayPool<char>.Shared.Rent(Math.Max(_chars.Length * 2, _charCount + more));
            _chars.AsSpan(0, _charCount).CopyTo(bigger);
            ReturnPooledChars();
            _chars = bigger;
        }
    }

    /// <summary>Gives a pooled text buffer back (after each stanza, and when growing again).</summary>
    private void ReturnPooledChars()
    {
        if (!ReferenceEquals(_chars, _ownChars))
        {
            ArrayPool<char>.Shared.Return(_chars);
            _chars = _ownChars;
        }
    }
}
