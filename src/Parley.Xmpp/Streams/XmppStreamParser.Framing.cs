using System.Buffers;

namespace Parley.Xmpp.Streams;

/// <summary>
/// The framer: finds where the current frame (stream header, top-level element or closing tag) ends,
/// keeping just enough lexical state to resume at any byte. It does not validate names, references or
/// encodings; the tree builder does that on the complete frame.
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

    private enum LexState : byte
    {
        /// <summary>Character data, or white space before the frame in the prolog.</summary>
        Text,

        /// <summary>Just after '&lt;'.</summary>
        LessThan,

        /// <summary>Inside a start tag, outside quotes.</summary>
        StartTag,

        /// <summary>After '/' in a start tag: only '&gt;' may follow.</summary>
        StartTagSlash,

        /// <summary>Inside a quoted attribute value; <see cref="_quote"/> closes it.</summary>
        AttributeValue,

        EndTag,

        /// <summary>After "&lt;!": only "[CDATA[" may follow.</summary>
        Markup,

        CData,

        /// <summary>Inside the XML declaration.</summary>
        XmlDeclaration,
    }

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
                        else if (!Xml.XmlSyntax.IsWhitespace(b))
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

                case LexState.EndTag:
                    var greaterThan = span[i..].IndexOf((byte)'>');
                    if (greaterThan < 0)
                    {
                        i = span.Length;
                        break;
                    }

                    i += greaterThan + 1;
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

                _lex = LexState.EndTag;
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

                // The byte is the first of the name: the start tag state examines it.
                _lex = LexState.StartTag;
                return i;
        }
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
        _completedFrame = FrameKind.None;
    }
}
