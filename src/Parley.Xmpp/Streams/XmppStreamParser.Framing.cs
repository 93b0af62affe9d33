using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Xmpp.Xml;

namespace Parley.Xmpp.Streams;

/// <summary>
/// The framer: finds where the current frame (stream header, top-level element or closing tag) ends,
/// keeping just enough lexical state to resume at any byte. Inside the stream it checks element names as
/// they arrive (a QName in a start tag, an end tag repeating the open element's qualified name), so a
/// mismatched end tag fails at once instead of leaving the frame open. It does not validate attributes,
/// references or encodings; the tree builder does that, and checks names again, on the complete frame.
/// </summary>
public sealed partial class XmppStreamParser
{
    private static ReadOnlySpan<byte> CDataOpening => "[CDATA["u8;

    private LexState _lex;
    private int _depth;
    private byte _quote;
    private byte _previousByte;
    private int _markupMatched;
    private int _cdataBrackets;
    private FrameKind _completedFrame;

    /// <summary>Bytes of the current frame consumed so far; they are in <see cref="_frameBuffer"/>.</summary>
    private int _frameLength;

    private byte[]? _frameBuffer;

    /// <summary>
    /// Qualified names of the open elements of the current frame, as offsets into the frame; entry d - 1 is the element
    /// at depth d. Reused for the whole connection; it grows to at most the depth limit.
    /// </summary>
    private FrameName[] _openNames = new FrameName[8];

    /// <summary>The name being read in a start tag, or the name an end tag must repeat (start -1: the stream header's).</summary>
    private FrameName _name;

    /// <summary>Start tag: offset of the colon in the name so far, or -1. End tag: bytes of <see cref="_name"/> matched.</summary>
    private int _nameProgress;

    private enum LexState : byte
    {
        /// <summary>Character data, or white space before the frame in the prolog.</summary>
        Text,

        /// <summary>Just after '&lt;'.</summary>
        LessThan,

        /// <summary>In the element name of a start tag inside the stream; <see cref="_name"/> grows.</summary>
        StartTagName,

        /// <summary>Inside a start tag, outside quotes.</summary>
        StartTag,

        /// <summary>After '/' in a start tag: only '&gt;' may follow.</summary>
        StartTagSlash,

        /// <summary>Inside a quoted attribute value; <see cref="_quote"/> closes it.</summary>
        AttributeValue,

        /// <summary>In the name of an end tag, matching it against <see cref="_name"/>.</summary>
        EndTagName,

        /// <summary>After the name of an end tag: only white space and '&gt;' may follow.</summary>
        EndTag,

        /// <summary>After "&lt;!": only "[CDATA[" may follow.</summary>
        Markup,

        CData,

        /// <summary>Inside the XML declaration.</summary>
        XmlDeclaration,
    }

    /// <summary>A name's bytes in the frame: <c>[Start, Start + Length)</c> counts from the frame's first byte.</summary>
    private readonly record struct FrameName(int Start, int Length);

    private enum FrameKind : byte
    {
        None,
        Header,
        Stanza,
        StreamEnd,
    }

    /// <summary>
    /// Advances the lexical state over <paramref name="span"/>. Returns the index just past the frame's
    /// last byte, or -1 when the frame continues beyond the span (then every byte was consumed).
    /// </summary>
    private int Scan(ReadOnlySpan<byte> span)
    {
        var i = 0;
        while (i < span.Length)
        {
            switch (_lex)
            {
                case LexState.Text:
                    if (_depth == 0)
                    {
                        // Only the prolog scans text at depth 0: the stream-level loop starts frames at '<'.
                        var b = span[i];
                        if (b == (byte)'<')
                        {
                            _lex = LexState.LessThan;
                        }
                        else if (!XmlSyntax.IsWhitespace(b))
                        {
                            XmppStreamThrow.NotWellFormed("text before the stream header");
                        }

                        i++;
                        break;
                    }

                    var lessThan = span[i..].IndexOf((byte)'<');
                    if (lessThan < 0)
                    {
                        i = span.Length;
                        break;
                    }

                    i += lessThan + 1;
                    _lex = LexState.LessThan;
                    break;

                case LexState.LessThan:
                    i = AfterLessThan(span, i);
                    break;

                case LexState.StartTagName:
                    i = ScanStartTagName(span, i);
                    break;

                case LexState.StartTag:
                    var special = span[i..].IndexOfAny(StartTagSpecials);
                    if (special < 0)
                    {
                        i = span.Length;
                        break;
                    }

                    i += special;
                    var tagByte = span[i];
                    if (tagByte == (byte)'<')
                    {
                        XmppStreamThrow.NotWellFormed("'<' inside a tag");
                    }

                    if (tagByte == (byte)'/')
                    {
                        _lex = LexState.StartTagSlash;
                        i++;
                        break;
                    }

                    if (tagByte != (byte)'>')
                    {
                        _quote = tagByte;
                        _lex = LexState.AttributeValue;
                        i++;
                        break;
                    }

                    i++;
                    if (EndOfStartTag(selfClosing: false))
                    {
                        return i;
                    }

                    break;

                case LexState.StartTagSlash:
                    if (span[i] != (byte)'>')
                    {
                        XmppStreamThrow.NotWellFormed("'/' not followed by '>' in a tag");
                    }

                    i++;
                    if (EndOfStartTag(selfClosing: true))
                    {
                        return i;
                    }

                    break;

                case LexState.AttributeValue:
                    var close = span[i..].IndexOfAny(_quote, (byte)'<');
                    if (close < 0)
                    {
                        i = span.Length;
                        break;
                    }

                    i += close;
                    if (span[i] == (byte)'<')
                    {
                        XmppStreamThrow.NotWellFormed("'<' in an attribute value");
                    }

                    _lex = LexState.StartTag;
                    i++;
                    break;

                case LexState.EndTagName:
                    i = MatchEndTagName(span, i);
                    break;

                case LexState.EndTag:
                    var afterSpace = span[i..].IndexOfAnyExcept(XmlSyntax.Whitespace);
                    if (afterSpace < 0)
                    {
                        i = span.Length;
                        break;
                    }

                    i += afterSpace;
                    if (span[i] != (byte)'>')
                    {
                        XmppStreamThrow.NotWellFormed("end tag not closed by '>'");
                    }

                    i++;
                    _lex = LexState.Text;
                    if (_depth == 0)
                    {
                        _completedFrame = FrameKind.StreamEnd;
                        return i;
                    }

                    if (--_depth == 0)
                    {
                        _completedFrame = FrameKind.Stanza;
                        return i;
                    }

                    break;

                case LexState.Markup:
                    if (span[i] != CDataOpening[_markupMatched])
                    {
                        if (_markupMatched == 0 && span[i] == (byte)'-')
                        {
                            XmppStreamThrow.RestrictedXml("comments are not allowed");
                        }

                        XmppStreamThrow.RestrictedXml("markup declarations are not allowed");
                    }

                    i++;
                    if (++_markupMatched == CDataOpening.Length)
                    {
                        _lex = LexState.CData;
                        _cdataBrackets = 0;
                    }

                    break;

                case LexState.CData:
                    i = ScanCData(span, i);
                    break;

                case LexState.XmlDeclaration:
                    var declarationEnd = span[i..].IndexOf((byte)'>');
                    if (declarationEnd < 0)
                    {
                        i = span.Length;
                        break;
                    }

                    i += declarationEnd;
                    if (PreviousByte(span, i) == (byte)'?')
                    {
                        _lex = LexState.Text;
                    }

                    i++;
                    break;

                default:
                    throw new InvalidOperationException("internal bug: unknown lexical state");
            }
        }

        if (span.Length > 0)
        {
            _previousByte = span[^1];
        }

        return -1;
    }

    private static readonly SearchValues<byte> StartTagSpecials = SearchValues.Create("<>/'\""u8);

    /// <summary>Handles the '&gt;' of a start tag; true when it completes the frame.</summary>
    private bool EndOfStartTag(bool selfClosing)
    {
        _lex = LexState.Text;
        if (_phase == StreamPhase.Prolog)
        {
            // The header is complete at its start tag; a self-closing one is rejected when parsed.
            _completedFrame = FrameKind.Header;
            return true;
        }

        if (selfClosing && --_depth == 0)
        {
            _completedFrame = FrameKind.Stanza;
            return true;
        }

        return false;
    }

    private int AfterLessThan(ReadOnlySpan<byte> span, int i)
    {
        var b = span[i];
        switch (b)
        {
            case (byte)'/':
                if (_phase == StreamPhase.Prolog)
                {
                    XmppStreamThrow.NotWellFormed("end tag before the stream header");
                }

                _name = NameToClose();
                _nameProgress = 0;
                _lex = LexState.EndTagName;
                return i + 1;

            case (byte)'!':
                if (_depth == 0)
                {
                    // At stream level "<!" can only be a DOCTYPE, a comment or CDATA, none of which is allowed there.
                    XmppStreamThrow.RestrictedXml(_phase == StreamPhase.Prolog ? "document type declarations and comments are not allowed" : "markup declarations are not allowed at stream level");
                }

                _lex = LexState.Markup;
                _markupMatched = 0;
                return i + 1;

            case (byte)'?':
                // The XML declaration is the only processing instruction allowed, and only as the very first bytes.
                if (_phase != StreamPhase.Prolog || _frameLength + i != 1)
                {
                    XmppStreamThrow.RestrictedXml("processing instructions are not allowed");
                }

                _lex = LexState.XmlDeclaration;
                return i + 1;

            default:
                _depth++;
                if (_phase != StreamPhase.Prolog && _depth > Limits.MaxDepth)
                {
                    XmppStreamThrow.PolicyViolation("elements nested too deeply");
                }

                // The byte is the first of the name: the name (or, for the header, the start tag) state examines it.
                if (_phase == StreamPhase.Prolog)
                {
                    _lex = LexState.StartTag;
                    return i;
                }

                if (_depth > _openNames.Length)
                {
                    Array.Resize(ref _openNames, Math.Max(_openNames.Length * 2, _depth));
                }

                _name = new FrameName(_frameLength + i, 0);
                _nameProgress = -1;
                _lex = LexState.StartTagName;
                return i;
        }
    }

    /// <summary>The name an end tag must repeat: the innermost open element's, or at depth 0 the stream header's.</summary>
    private FrameName NameToClose()
    {
        if (_depth > 0)
        {
            return _openNames[_depth - 1];
        }

        if (_streamQualifiedName is null)
        {
            throw new InvalidOperationException("internal bug: stream open without a header name");
        }

        return new FrameName(-1, _streamQualifiedName.Length);
    }

    /// <summary>
    /// Reads the element name of a start tag (a QName, as the tree builder's <c>ReadName</c> requires) and records it
    /// as the name of the element at the current depth. Returns the index of the byte after the name, or the span length.
    /// </summary>
    private int ScanStartTagName(ReadOnlySpan<byte> span, int i)
    {
        var length = _name.Length;
        var colon = _nameProgress;
        for (; i < span.Length; i++)
        {
            var b = span[i];
            if (!XmlSyntax.IsNameByte(b))
            {
                if (length == 0 || colon == length - 1 || !(XmlSyntax.IsWhitespace(b) || b == (byte)'>' || b == (byte)'/'))
                {
                    XmppStreamThrow.NotWellFormed("invalid element name in a start tag");
                }

                _openNames[_depth - 1] = new FrameName(_name.Start, length);
                _lex = LexState.StartTag;
                return i;
            }

            if (b == (byte)':')
            {
                if (colon >= 0 || length == 0)
                {
                    XmppStreamThrow.NotWellFormed("invalid element name in a start tag");
                }

                colon = length;
            }
            else if ((length == 0 || colon == length - 1) && !XmlSyntax.IsNameStartByte(b))
            {
                XmppStreamThrow.NotWellFormed("invalid element name in a start tag");
            }

            length++;
        }

        _name = new FrameName(_name.Start, length);
        _nameProgress = colon;
        return i;
    }

    /// <summary>
    /// Matches the name of an end tag byte for byte against <see cref="_name"/>, failing on the first byte that differs.
    /// Returns the index of the byte after the name, or the span length.
    /// </summary>
    private int MatchEndTagName(ReadOnlySpan<byte> span, int i)
    {
        while (_nameProgress < _name.Length)
        {
            if (i == span.Length)
            {
                return i;
            }

            var expected = RestOfExpectedName(span);
            var count = Math.Min(expected.Length, span.Length - i);
            var same = span.Slice(i, count).CommonPrefixLength(expected[..count]);
            _nameProgress += same;
            i += same;
            if (same < count)
            {
                ThrowEndTagMismatch(span[i]);
            }
        }

        if (i == span.Length)
        {
            return i;
        }

        var b = span[i];
        if (b != (byte)'>' && !XmlSyntax.IsWhitespace(b))
        {
            // A longer name, or a malformed one.
            ThrowEndTagMismatch(b);
        }

        _lex = LexState.EndTag;
        return i;
    }

    /// <summary>
    /// The unmatched rest of <see cref="_name"/>, or as much of it as is contiguous: the bytes before this span are in
    /// <see cref="_frameBuffer"/>, the rest (always before the end tag) in <paramref name="span"/>.
    /// </summary>
    private ReadOnlySpan<byte> RestOfExpectedName(ReadOnlySpan<byte> span)
    {
        if (_name.Start < 0)
        {
            return _streamQualifiedName.AsSpan(_nameProgress);
        }

        var start = _name.Start + _nameProgress;
        var end = _name.Start + _name.Length;
        if (start >= _frameLength)
        {
            return span[(start - _frameLength)..(end - _frameLength)];
        }

        return _frameBuffer.AsSpan(start, Math.Min(end, _frameLength) - start);
    }

    [DoesNotReturn]
    private void ThrowEndTagMismatch(byte b)
    {
        if (_nameProgress == 0 && !(XmlSyntax.IsNameStartByte(b) && b != (byte)':'))
        {
            XmppStreamThrow.NotWellFormed("invalid name in an end tag");
        }

        if (_nameProgress == _name.Length && !XmlSyntax.IsNameByte(b))
        {
            XmppStreamThrow.NotWellFormed("end tag not closed by '>'");
        }

        if (_name.Start < 0)
        {
            XmppStreamThrow.NotWellFormed("closing tag does not match the stream header");
        }

        XmppStreamThrow.NotWellFormed("end tag does not match the start tag");
    }

    private int ScanCData(ReadOnlySpan<byte> span, int i)
    {
        while (i < span.Length)
        {
            if (_cdataBrackets == 0)
            {
                var bracket = span[i..].IndexOf((byte)']');
                if (bracket < 0)
                {
                    return span.Length;
                }

                i += bracket;
            }

            var b = span[i++];
            if (b == (byte)']')
            {
                _cdataBrackets++;
            }
            else if (b == (byte)'>' && _cdataBrackets >= 2)
            {
                _cdataBrackets = 0;
                _lex = LexState.Text;
                return i;
            }
            else
            {
                _cdataBrackets = 0;
            }
        }

        return i;
    }

    private byte PreviousByte(ReadOnlySpan<byte> span, int i) => i > 0 ? span[i - 1] : _previousByte;

    /// <summary>Keeps bytes of a frame that continues in later input; the caller has already checked the limit.</summary>
    private void AppendToFrame(ReadOnlySpan<byte> bytes)
    {
        var needed = _frameLength + bytes.Length;
        if (_frameBuffer is null || _frameBuffer.Length < needed)
        {
            // Doubling keeps one-byte-at-a-time input linear; the limit caps the rented size.
            var size = Math.Max(needed, Math.Min(Math.Max(4096, (_frameBuffer?.Length ?? 0) * 2), CurrentFrameLimit));
            var bigger = ArrayPool<byte>.Shared.Rent(size);
            if (_frameBuffer is not null)
            {
                _frameBuffer.AsSpan(0, _frameLength).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_frameBuffer);
            }

            _frameBuffer = bigger;
        }

        bytes.CopyTo(_frameBuffer.AsSpan(_frameLength));
        _frameLength = needed;
    }

    /// <summary>Returns to "between frames" and gives pooled memory back, so idle connections hold none.</summary>
    private void EndFrame()
    {
        if (_frameBuffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_frameBuffer);
            _frameBuffer = null;
        }

        _frameLength = 0;
        _lex = LexState.Text;
        _depth = 0;
        _previousByte = 0;
        _cdataBrackets = 0;
        _markupMatched = 0;
        _name = default;
        _nameProgress = 0;
        _completedFrame = FrameKind.None;
    }
}
