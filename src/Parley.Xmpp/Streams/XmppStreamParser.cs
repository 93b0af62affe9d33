using System.Buffers;
using Parley.Xmpp.Xml;

namespace Parley.Xmpp.Streams;

/// <summary>
/// Incremental parser of one direction of an XMPP stream (restricted XML, RFC 6120 §11).
/// Stateful: bytes of an incomplete stanza are consumed and kept (bounded by the limits), so total work is linear in the input.
/// </summary>
/// <remarks>
/// Two stages. A framer (<c>Framing.cs</c>) walks the bytes once, tracking tag/quote state, depth and the offsets of the
/// open elements' names, to find where the stream header, a top-level element or the closing tag ends; it enforces depth
/// and size limits as it goes and rejects DTDs, comments, processing instructions, malformed element names and mismatched
/// end tags on sight. When a frame is complete, the tree builder (<c>Tree.cs</c>) validates and parses those bytes in one
/// pass. A frame that lies inside one segment is parsed in place; one that spans reads is copied into a pooled buffer
/// that never exceeds the limit.
/// </remarks>
public sealed partial class XmppStreamParser
{
    private readonly XmlNameTable _names = new();
    private readonly NamespaceScope _scope = new();

    private StreamPhase _phase;

    public XmppStreamParser(XmppLimits limits, string defaultNamespace = "jabber:client")
    {
        _chars = _ownChars;
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentException.ThrowIfNullOrEmpty(defaultNamespace);
        Limits = limits;
        DefaultNamespace = defaultNamespace;
    }

    private enum StreamPhase
    {
        /// <summary>Before and inside the stream header (optional XML declaration, then &lt;stream:stream&gt;).</summary>
        Prolog,

        /// <summary>Between and inside top-level elements.</summary>
        Open,

        /// <summary>After &lt;/stream:stream&gt;: only white space may follow.</summary>
        Closed,
    }

    public XmppLimits Limits { get; }

    public string DefaultNamespace { get; }

    /// <summary>
    /// Reads at most one event, advancing <paramref name="reader"/> past everything consumed.
    /// Returns false when more input is needed. Throws <see cref="XmppStreamException"/> on a violation.
    /// </summary>
    public bool TryRead(ref SequenceReader<byte> reader, out XmppStreamEvent streamEvent)
    {
        streamEvent = default;
        while (true)
        {
            if (_phase != StreamPhase.Prolog && _frameLength == 0)
            {
                // White space between stanzas is a keepalive: consumed, never counted against a frame.
                if (!SkipWhitespace(ref reader))
                {
                    return false;
                }

                if (_phase == StreamPhase.Closed)
                {
                    XmppStreamThrow.NotWellFormed("data after the end of the stream");
                }

                if (reader.UnreadSpan[0] != (byte)'<')
                {
                    XmppStreamThrow.NotWellFormed("text at stream level");
                }
            }

            if (reader.End)
            {
                return false;
            }

            var span = reader.UnreadSpan;
            var room = CurrentFrameLimit - _frameLength;
            var window = span.Length > room ? span[..room] : span;
            var end = Scan(window);
            if (end < 0)
            {
                if (window.Length < span.Length)
                {
                    ThrowFrameTooLarge();
                }

                AppendToFrame(window);
                reader.Advance(window.Length);
                continue;
            }

            ReadOnlySpan<byte> frame;
            if (_frameLength == 0)
            {
                // Fast path: the whole frame is in this segment, parse it in place.
                frame = span[..end];
            }
            else
            {
                AppendToFrame(span[..end]);
                frame = _frameBuffer.AsSpan(0, _frameLength);
            }

            streamEvent = BuildEvent(frame);
            reader.Advance(end);
            EndFrame();
            return true;
        }
    }

    /// <summary>Forgets all state: the next bytes must open a new stream (after STARTTLS or SASL success).</summary>
    public void Reset()
    {
        EndFrame();
        _phase = StreamPhase.Prolog;
        _scope.Clear();
        _streamQualifiedName = null;
    }

    private int CurrentFrameLimit => _phase == StreamPhase.Prolog ? Limits.MaxStreamHeaderBytes : Limits.MaxStanzaBytes;

    private void ThrowFrameTooLarge()
    {
        if (_phase == StreamPhase.Prolog)
        {
            XmppStreamThrow.PolicyViolation("stream header exceeds the size limit");
        }

        XmppStreamThrow.PolicyViolation("stanza exceeds the size limit");
    }

    private XmppStreamEvent BuildEvent(ReadOnlySpan<byte> frame)
    {
        try
        {
            return BuildFrameEvent(frame);
        }
        finally
        {
            ReturnPooledChars();
        }
    }

    private XmppStreamEvent BuildFrameEvent(ReadOnlySpan<byte> frame)
    {
        switch (_completedFrame)
        {
            case FrameKind.Header:
                var header = ParseHeader(frame);
                _phase = StreamPhase.Open;
                return new XmppStreamEvent(XmppStreamEventKind.StreamStart, header);
            case FrameKind.Stanza:
                return new XmppStreamEvent(XmppStreamEventKind.Stanza, ParseStanza(frame));
            case FrameKind.StreamEnd:
                ParseStreamEnd(frame);
                _phase = StreamPhase.Closed;
                return new XmppStreamEvent(XmppStreamEventKind.StreamEnd, null);
            default:
                throw new InvalidOperationException("internal bug: frame completed without a kind");
        }
    }

    private static bool SkipWhitespace(ref SequenceReader<byte> reader)
    {
        while (!reader.End)
        {
            var span = reader.UnreadSpan;
            var index = span.IndexOfAnyExcept(XmlSyntax.Whitespace);
            if (index >= 0)
            {
                reader.Advance(index);
                return true;
            }

            reader.Advance(span.Length);
        }

        return false;
    }
}
