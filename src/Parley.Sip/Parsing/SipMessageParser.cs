using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Unicode;
using Parley.Sip.Messages;

namespace Parley.Sip.Parsing;

/// <summary>
/// Incremental SIP message parser (RFC 3261 §7). No policy: it frames, validates syntax and limits, and
/// leaves typed headers to be parsed on demand. Each message is copied once into its own array, which
/// holds the lazily decoded header values and the body.
/// </summary>
public sealed partial class SipMessageParser(SipLimits limits)
{
    private const int StackCopyLimit = 256;
    private readonly SipLimits _limits = limits ?? throw new ArgumentNullException(nameof(limits));

    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;
    private static ReadOnlySpan<byte> HeaderEnd => "\r\n\r\n"u8;

    /// <summary>
    /// Stream transports (TCP/TLS). Skips CRLF keep-alives before a message and counts each CRLFCRLF ping
    /// in <paramref name="keepAlives"/> (RFC 5626 §3.5.1; skipped bytes are consumed even when the
    /// message after them is incomplete). Returns false and consumes nothing more when the message is
    /// incomplete. Content-Length is mandatory (RFC 3261 §18.3).
    /// </summary>
    /// <exception cref="SipParseException">Malformed or over a limit; answer it and close the connection.</exception>
    public bool TryParseStream(ref ReadOnlySequence<byte> buffer, out SipMessage? message, out int keepAlives)
    {
        message = null;
        keepAlives = SkipKeepAlives(ref buffer, out var incomplete);
        if (incomplete || buffer.IsEmpty)
        {
            return false;
        }

        var window = buffer.Length > _limits.MaxMessageBytes ? buffer.Slice(0, _limits.MaxMessageBytes) : buffer;
        var reader = new SequenceReader<byte>(window);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> head, HeaderEnd, advancePastDelimiter: true))
        {
            RejectUnterminated(window, buffer.Length);
            return false;
        }
        var headLength = checked((int)head.Length + HeaderEnd.Length);

        byte[]? pooled = null;
        try
        {
            ReadOnlySpan<byte> headSpan;
            var headSequence = buffer.Slice(0, headLength);
            if (headSequence.IsSingleSegment)
            {
                headSpan = headSequence.FirstSpan;
            }
            else
            {
                // Only a header section that straddles segments is copied, into a pooled buffer.
                pooled = ArrayPool<byte>.Shared.Rent(headLength);
                headSequence.CopyTo(pooled);
                headSpan = pooled.AsSpan(0, headLength);
            }

            var bodyLength = ScanContentLength(headSpan);
            if (bodyLength < 0)
            {
                // Missing, duplicated or malformed: the full parse names the reason and builds the partial request.
                Build(headSpan.ToArray(), headLength, available: 0, streamBodyLength: null);
                SipParseException.Throw(SipRejectionReason.InvalidContentLength, "unreadable Content-Length");
            }
            if (headLength + bodyLength > _limits.MaxMessageBytes)
            {
                throw Rejected(SipRejectionReason.BodyTooLarge, $"Content-Length {bodyLength} exceeds the {_limits.MaxMessageBytes}-byte message limit", headSpan, headLength);
            }
            var total = headLength + (int)bodyLength;
            if (buffer.Length < total)
            {
                return false;
            }
            var storage = new byte[total];
            headSpan.CopyTo(storage);
            buffer.Slice(headLength, bodyLength).CopyTo(storage.AsSpan(headLength));
            message = Build(storage, headLength, available: (int)bodyLength, streamBodyLength: (int)bodyLength);
            buffer = buffer.Slice(total);
            return true;
        }
        finally
        {
            if (pooled is not null)
            {
                ArrayPool<byte>.Shared.Return(pooled);
            }
        }
    }

    /// <summary>
    /// Datagram transports (UDP). Content-Length is optional (absent: the body is the rest of the
    /// datagram); bytes after the announced body are ignored (RFC 3261 §18.3).
    /// </summary>
    /// <exception cref="SipParseException">Malformed or over a limit.</exception>
    public SipMessage ParseDatagram(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length > _limits.MaxMessageBytes)
        {
            SipParseException.Throw(SipRejectionReason.MessageTooLarge, $"datagram of {datagram.Length} bytes exceeds {_limits.MaxMessageBytes}");
        }
        while (datagram.StartsWith(Crlf))
        {
            datagram = datagram[Crlf.Length..];
        }
        if (datagram.IsEmpty)
        {
            SipParseException.Throw(SipRejectionReason.InvalidStartLine, "datagram holds only CRLF keep-alives");
        }
        var end = datagram.IndexOf(HeaderEnd);
        if (end < 0 && datagram.EndsWith(Crlf))
        {
            // Leniency for datagrams only: a sender that omits the empty line after the last header
            // (RFC 4475 baddn/badvers copies do) has sent no body; the datagram boundary ends the message.
            var storage = new byte[datagram.Length + Crlf.Length];
            datagram.CopyTo(storage);
            Crlf.CopyTo(storage.AsSpan(datagram.Length));
            return Build(storage, storage.Length, 0, streamBodyLength: null, datagram: true);
        }
        if (end < 0)
        {
            if (datagram.IndexOf(Crlf) is var lineEnd && (lineEnd < 0 ? datagram.Length : lineEnd) > _limits.MaxStartLineBytes)
            {
                SipParseException.Throw(StartLineTooLong(datagram), "start line too long");
            }
            SipParseException.Throw(SipRejectionReason.MalformedHeader, "header section not terminated by an empty line");
        }
        var headLength = end + HeaderEnd.Length;
        return Build(datagram.ToArray(), headLength, datagram.Length - headLength, streamBodyLength: null, datagram: true);
    }

    /// <summary>
    /// Parses a message this stack wrote itself (<see cref="SipMessageWriter.ToBytes"/>): <paramref name="bytes"/>
    /// becomes the message's storage instead of being copied. The caller must not change the array afterwards.
    /// </summary>
    internal SipMessage ParseOwned(byte[] bytes)
    {
        var span = bytes.AsSpan();
        var end = span.IndexOf(HeaderEnd);
        if (end <= 0 || bytes.Length > _limits.MaxMessageBytes || span.StartsWith(Crlf))
        {
            return ParseDatagram(span); // not the writer's form: the general path decides
        }

        var headLength = end + HeaderEnd.Length;
        return Build(bytes, headLength, bytes.Length - headLength, streamBodyLength: null, datagram: true);
    }

    /// <summary>True for a datagram made only of CRLFs: a keep-alive, not a message.</summary>
    public static bool IsKeepAlive(ReadOnlySpan<byte> datagram) =>
        !datagram.IsEmpty && !datagram.ContainsAnyExcept((byte)'\r', (byte)'\n');

    private static int SkipKeepAlives(ref ReadOnlySequence<byte> buffer, out bool incomplete)
    {
        incomplete = false;
        var reader = new SequenceReader<byte>(buffer);
        var pings = 0;
        Span<byte> peek = stackalloc byte[4];
        while (reader.TryPeek(out var first) && first == '\r')
        {
            if (reader.IsNext(HeaderEnd, advancePast: true))
            {
                pings++;
                continue;
            }
            // A lone CRLF before a start line is skipped (RFC 3261 §7.5); a partial ping waits for more.
            var peeked = (int)Math.Min(4, reader.Remaining);
            reader.TryCopyTo(peek[..peeked]);
            if (peeked < 4 && HeaderEnd.StartsWith(peek[..peeked]))
            {
                incomplete = true;
                break;
            }
            if (!reader.IsNext(Crlf, advancePast: true))
            {
                break;
            }
        }
        buffer = buffer.Slice(reader.Position);
        return pings;
    }

    /// <summary>No end of headers yet: refuse when the start line or the message can no longer fit.</summary>
    private void RejectUnterminated(ReadOnlySequence<byte> window, long buffered)
    {
        var lineReader = new SequenceReader<byte>(window);
        if (!lineReader.TryAdvanceTo((byte)'\n', advancePastDelimiter: false) && window.Length > _limits.MaxStartLineBytes)
        {
            Span<byte> start = stackalloc byte[4];
            var n = (int)Math.Min(4, window.Length);
            window.Slice(0, n).CopyTo(start);
            SipParseException.Throw(StartLineTooLong(start[..n]), $"start line longer than {_limits.MaxStartLineBytes} bytes");
        }
        if (buffered >= _limits.MaxMessageBytes)
        {
            SipParseException.Throw(SipRejectionReason.MessageTooLarge, $"header section does not end within {_limits.MaxMessageBytes} bytes");
        }
    }

    private static SipRejectionReason StartLineTooLong(ReadOnlySpan<byte> start) =>
        SipGrammar.StartsWithIgnoreCase(start, "SIP/"u8) ? SipRejectionReason.StatusLineTooLong : SipRejectionReason.RequestUriTooLong;

    /// <summary>Builds the exception, with a partial request when the header section yields one.</summary>
    private SipParseException Rejected(SipRejectionReason reason, string detail, ReadOnlySpan<byte> head, int headLength)
    {
        SipRequest? partial = null;
        try
        {
            partial = Build(head[..headLength].ToArray(), headLength, 0, streamBodyLength: 0, headOnly: true) as SipRequest;
        }
        catch (SipParseException e)
        {
            partial = e.PartialRequest;
        }
        return new SipParseException(reason, detail, partial);
    }

    /// <summary>
    /// Content-Length of a complete header section without allocating: the value, or -1 when it is
    /// absent, repeated or not a number (the full parse then names the reason).
    /// </summary>
    private static long ScanContentLength(ReadOnlySpan<byte> head)
    {
        long result = -1;
        var seen = false;
        var position = head.IndexOf(Crlf) + Crlf.Length;
        while (position < head.Length - Crlf.Length)
        {
            // A logical line: continuation lines (starting with SP/HT) belong to it.
            var lineStart = position;
            var lineEnd = position + head[position..].IndexOf(Crlf);
            while (head[lineEnd + 2] is (byte)' ' or (byte)'\t')
            {
                lineEnd = lineEnd + 2 + head[(lineEnd + 2)..].IndexOf(Crlf);
            }
            position = lineEnd + Crlf.Length;
            var line = head[lineStart..lineEnd];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || !IsContentLengthName(line[..colon].TrimEnd(" \t"u8)))
            {
                continue;
            }
            if (seen)
            {
                return -1;
            }
            seen = true;
            result = ParseContentLength(line[(colon + 1)..]);
        }
        return result;
    }

    private static bool IsContentLengthName(ReadOnlySpan<byte> name) =>
        (name.Length == 1 && (name[0] | 0x20) == 'l') || Ascii.EqualsIgnoreCase(name, "Content-Length"u8);

    /// <summary>A non-negative decimal that fits an int, surrounded by optional whitespace; else -1.</summary>
    private static long ParseContentLength(ReadOnlySpan<byte> value)
    {
        value = value.Trim(" \t\r\n"u8);
        if (value.IsEmpty || value.Length > 10 || value.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
        {
            return -1;
        }
        return Utf8Parser.TryParse(value, out long number, out _) && number <= int.MaxValue ? number : -1;
    }
}
