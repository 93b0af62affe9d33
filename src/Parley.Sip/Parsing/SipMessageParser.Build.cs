using System.Text;
using System.Text.Unicode;
using Parley.Sip.Messages;

namespace Parley.Sip.Parsing;

public sealed partial class SipMessageParser
{
    /// <summary>
    /// Parses the start line and headers in <c>storage[..headLength]</c> (which ends with CRLFCRLF) and
    /// frames the body that follows. <paramref name="streamBodyLength"/> is the Content-Length a stream
    /// pre-scan found (null on a stream means "find out why it failed").
    /// </summary>
    private SipMessage Build(byte[] storage, int headLength, int available, int? streamBodyLength, bool datagram = false, bool headOnly = false)
    {
        var head = storage.AsSpan(0, headLength);
        if (!Utf8.IsValid(head))
        {
            SipParseException.Throw(SipRejectionReason.InvalidUtf8, "start line or headers are not UTF-8");
        }

        var startLineLength = head.IndexOf(Crlf);
        var startLine = head[..startLineLength];
        // Every header line ends with a CRLF, so their count bounds the number of lines and the list never
        // grows; capped by the limit so a message of folded empty lines cannot make a huge list.
        var headers = new SipHeaderCollection(Math.Min(head.Count(Crlf), _limits.MaxHeaderCount), storage);
        SipMessage message;
        // Errors found in the start line of a request that can still be answered are raised after the
        // headers are read, so the exception carries a partial request (e.g. 505 for RFC 4475 badvers).
        SipRejectionReason? deferred = null;
        var deferredDetail = "";
        if (SipGrammar.StartsWithIgnoreCase(startLine, "SIP/"u8))
        {
            if (startLineLength > _limits.MaxStartLineBytes)
            {
                SipParseException.Throw(SipRejectionReason.StatusLineTooLong, $"status line longer than {_limits.MaxStartLineBytes} bytes");
            }
            message = ParseStatusLine(startLine, headers);
        }
        else
        {
            var request = ParseRequestLine(startLine, headers, out deferred, out deferredDetail);
            if (startLineLength > _limits.MaxStartLineBytes)
            {
                deferred = SipRejectionReason.RequestUriTooLong;
                deferredDetail = $"request line longer than {_limits.MaxStartLineBytes} bytes";
            }
            message = request;
        }

        var counts = new RequiredCounts();
        long contentLength = -2; // -2 absent, -1 malformed
        var position = startLineLength + Crlf.Length;
        var end = headLength - Crlf.Length;
        while (position < end)
        {
            if (headers.LineCount >= _limits.MaxHeaderCount)
            {
                throw Fail(message, SipRejectionReason.TooManyHeaders, $"more than {_limits.MaxHeaderCount} header lines");
            }
            var lineStart = position;
            if (head[position] is (byte)' ' or (byte)'\t')
            {
                throw Fail(message, SipRejectionReason.MalformedHeader, "continuation line without a header");
            }
            // A logical line runs to the CRLF not followed by SP/HT (RFC 3261 §7.3.1 folding).
            var folded = false;
            var lineEnd = position + head[position..].IndexOf(Crlf);
            while (head[lineEnd + 2] is (byte)' ' or (byte)'\t')
            {
                folded = true;
                lineEnd = lineEnd + 2 + head[(lineEnd + 2)..].IndexOf(Crlf);
            }
            position = lineEnd + Crlf.Length;
            if (lineEnd - lineStart > _limits.MaxHeaderLineBytes)
            {
                throw Fail(message, SipRejectionReason.HeaderLineTooLong, $"header line longer than {_limits.MaxHeaderLineBytes} bytes");
            }
            var line = head[lineStart..lineEnd];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                throw Fail(message, SipRejectionReason.MalformedHeader, "header line without a colon");
            }
            var nameBytes = line[..colon].TrimEnd(" \t"u8);
            if (!SipGrammar.IsToken(nameBytes))
            {
                throw Fail(message, SipRejectionReason.MalformedHeader, "header name is not a token");
            }
            var valueStart = colon + 1;
            while (valueStart < line.Length && line[valueStart] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                valueStart++;
            }
            var valueEnd = line.Length;
            while (valueEnd > valueStart && line[valueEnd - 1] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                valueEnd--;
            }
            var value = line[valueStart..valueEnd];
            if (!IsValidValue(value, folded))
            {
                throw Fail(message, SipRejectionReason.MalformedHeader, "control character or bare CR/LF in a header value");
            }
            var name = SipHeaderNames.Canonicalize(nameBytes);
            headers.AddRaw(name, lineStart + valueStart, valueEnd - valueStart, folded);
            if (name == SipHeaderNames.ContentLength)
            {
                contentLength = counts.ContentLength++ == 0 ? ParseContentLength(value) : contentLength;
            }
            else
            {
                counts.Count(name, value);
                if (counts.Via > _limits.MaxViaCount)
                {
                    throw Fail(message, SipRejectionReason.TooManyVias, $"more than {_limits.MaxViaCount} Via values");
                }
            }
        }

        if (deferred is { } reason)
        {
            throw Fail(message, reason, deferredDetail);
        }
        if (counts.Missing() is { } missing)
        {
            throw Fail(message, SipRejectionReason.MissingRequiredHeader, $"no {missing} header");
        }
        if (counts.Duplicated(out var duplicateName))
        {
            throw Fail(message, SipRejectionReason.DuplicateHeader, $"{duplicateName} appears more than once");
        }
        // CSeq is checked eagerly for every message: a response without a usable one matches no
        // transaction (RFC 4475 scalarlg), a request with one cannot be answered.
        if (!message.TryGetCSeq(out var cseq))
        {
            throw Fail(message, SipRejectionReason.BadHeader, "malformed CSeq");
        }
        if (message is SipRequest parsedRequest)
        {
            if (!string.Equals(cseq.Method, parsedRequest.Method, StringComparison.Ordinal))
            {
                throw Fail(message, SipRejectionReason.CSeqMethodMismatch, $"CSeq method {cseq.Method} differs from {parsedRequest.Method}");
            }
        }
        if (headOnly)
        {
            return message;
        }

        int bodyLength;
        if (contentLength == -1)
        {
            throw Fail(message, SipRejectionReason.InvalidContentLength, "Content-Length is not a non-negative integer");
        }
        if (datagram)
        {
            if (contentLength > available)
            {
                throw Fail(message, SipRejectionReason.ContentLengthExceedsDatagram, $"Content-Length {contentLength} but {available} body bytes in the datagram");
            }
            bodyLength = contentLength == -2 ? available : (int)contentLength;
        }
        else
        {
            if (contentLength == -2)
            {
                throw Fail(message, SipRejectionReason.MissingContentLength, "Content-Length is mandatory on stream transports");
            }
            if (counts.ContentLength > 1)
            {
                throw Fail(message, SipRejectionReason.DuplicateHeader, "Content-Length appears more than once");
            }
            if (streamBodyLength is null)
            {
                // Called only to name a fault the pre-scan saw; the caller reports it if none is found here.
                return message;
            }
            if (streamBodyLength != contentLength)
            {
                throw new InvalidOperationException("internal bug: Content-Length pre-scan disagrees with the parse");
            }
            bodyLength = (int)contentLength;
        }
        message.Body = bodyLength == 0 ? ReadOnlyMemory<byte>.Empty : storage.AsMemory(headLength, bodyLength);
        return message;
    }

    private static SipParseException Fail(SipMessage message, SipRejectionReason reason, string detail)
    {
        var request = message as SipRequest;
        var complete = request is not null
            && request.Headers.Contains(SipHeaderNames.Via) && request.Headers.Contains(SipHeaderNames.From)
            && request.Headers.Contains(SipHeaderNames.To) && request.Headers.Contains(SipHeaderNames.CallId)
            && request.Headers.Contains(SipHeaderNames.CSeq);
        return new SipParseException(reason, detail, complete ? request : null);
    }

    /// <summary>
    /// TEXT-UTF8 plus folds: no control characters other than HT, except as a quoted-pair inside a
    /// quoted string (RFC 3261 §25.1 allows "\" followed by %x00-09 / %x0B-0C / %x0E-7F, RFC 4475
    /// intmeth); CR/LF only as a CRLF fold.
    /// </summary>
    private static bool IsValidValue(ReadOnlySpan<byte> value, bool folded)
    {
        var quoted = false;
        for (var i = 0; i < value.Length; i++)
        {
            var b = value[i];
            if (b == '"')
            {
                quoted = !quoted;
                continue;
            }
            if (quoted && b == '\\' && i + 1 < value.Length && value[i + 1] is not ((byte)'\r' or (byte)'\n'))
            {
                i++;
                continue;
            }
            if (b >= 0x20 || b == '\t')
            {
                continue;
            }
            if (folded && b == '\r' && i + 2 < value.Length && value[i + 1] == '\n' && value[i + 2] is (byte)' ' or (byte)'\t')
            {
                i++;
                continue;
            }
            return false;
        }
        return true;
    }

    private static SipRequest ParseRequestLine(ReadOnlySpan<byte> line, SipHeaderCollection headers, out SipRejectionReason? deferred, out string deferredDetail)
    {
        deferred = null;
        deferredDetail = "";
        // Request-Line = Method SP Request-URI SP SIP-Version: exactly one SP each (RFC 4475 lwsstart,
        // trws, lwsruri). Without a method token this is not a request at all; any later fault is
        // reported once the headers are read, so it can be answered.
        var firstSpace = line.IndexOf((byte)' ');
        if (firstSpace <= 0 || !SipGrammar.IsToken(line[..firstSpace]))
        {
            SipParseException.Throw(SipRejectionReason.InvalidStartLine, "request line does not start with a method token");
        }
        var methodBytes = line[..firstSpace];
        var method = SipMethods.Known(methodBytes) ?? Encoding.ASCII.GetString(methodBytes);
        var rest = line[(firstSpace + 1)..];
        var secondSpace = rest.IndexOf((byte)' ');
        if (secondSpace <= 0 || !IsVersion(rest[(secondSpace + 1)..], out var supported))
        {
            deferred = SipRejectionReason.InvalidStartLine;
            deferredDetail = "request line is not 'method SP Request-URI SP SIP-Version'";
            return new SipRequest(method, SipUri.Unparsable(Encoding.UTF8.GetString(rest)), headers, ReadOnlyMemory<byte>.Empty);
        }
        var uriText = Encoding.UTF8.GetString(rest[..secondSpace]);
        if (!SipUri.TryParse(uriText, out var uri))
        {
            deferred = SipRejectionReason.BadRequestUri;
            deferredDetail = "malformed Request-URI";
            uri = SipUri.Unparsable(uriText);
        }
        if (!supported)
        {
            deferred = SipRejectionReason.UnsupportedVersion;
            deferredDetail = "only SIP/2.0 is supported";
        }
        return new SipRequest(method, uri, headers, ReadOnlyMemory<byte>.Empty);
    }

    private static SipResponse ParseStatusLine(ReadOnlySpan<byte> line, SipHeaderCollection headers)
    {
        // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (the reason may be empty).
        var space = line.IndexOf((byte)' ');
        var supported = false;
        if (space < 0 || !IsVersion(line[..space], out supported))
        {
            SipParseException.Throw(SipRejectionReason.InvalidStartLine, "malformed status line");
        }
        if (!supported)
        {
            SipParseException.Throw(SipRejectionReason.UnsupportedVersion, "only SIP/2.0 is supported");
        }
        var rest = line[(space + 1)..];
        if (rest.Length < 3 || !char.IsAsciiDigit((char)rest[0]) || !char.IsAsciiDigit((char)rest[1]) || !char.IsAsciiDigit((char)rest[2])
            || (rest.Length > 3 && rest[3] != ' '))
        {
            SipParseException.Throw(SipRejectionReason.InvalidStartLine, "status code is not three digits");
        }
        var code = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
        if (code is < 100 or > 699)
        {
            SipParseException.Throw(SipRejectionReason.InvalidStartLine, "status code outside 100-699");
        }
        var reasonBytes = rest.Length > 4 ? rest[4..] : [];
        if (reasonBytes.ContainsAnyInRange((byte)0, (byte)0x08) || reasonBytes.ContainsAnyInRange((byte)0x0A, (byte)0x1F))
        {
            SipParseException.Throw(SipRejectionReason.InvalidStartLine, "control character in reason phrase");
        }
        var reason = reasonBytes.IsEmpty ? "" : Encoding.UTF8.GetString(reasonBytes);
        return new SipResponse(code, reason, headers, ReadOnlyMemory<byte>.Empty);
    }

    /// <summary>SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT ("SIP" case-insensitive); supported when 2.0.</summary>
    private static bool IsVersion(ReadOnlySpan<byte> version, out bool supported)
    {
        supported = false;
        if (version.Length < 7 || !SipGrammar.StartsWithIgnoreCase(version, "SIP/"u8))
        {
            return false;
        }
        var numbers = version[4..];
        var dot = numbers.IndexOf((byte)'.');
        if (dot <= 0 || dot == numbers.Length - 1
            || numbers[..dot].ContainsAnyExceptInRange((byte)'0', (byte)'9') || numbers[(dot + 1)..].ContainsAnyExceptInRange((byte)'0', (byte)'9'))
        {
            return false;
        }
        supported = numbers.SequenceEqual("2.0"u8);
        return true;
    }

    /// <summary>Tallies the headers every message needs (RFC 3261 §8.1.1) and the single-valued ones.</summary>
    private struct RequiredCounts
    {
        public int Via;
        public int From;
        public int To;
        public int CallId;
        public int CSeq;
        public int MaxForwards;
        public int ContentLength;

        public void Count(string name, ReadOnlySpan<byte> value)
        {
            switch (name)
            {
                case SipHeaderNames.Via:
                    Via += 1 + CountCommas(value);
                    break;
                case SipHeaderNames.From:
                    From++;
                    break;
                case SipHeaderNames.To:
                    To++;
                    break;
                case SipHeaderNames.CallId:
                    CallId++;
                    break;
                case SipHeaderNames.CSeq:
                    CSeq++;
                    break;
                case SipHeaderNames.MaxForwards:
                    MaxForwards++;
                    break;
            }
        }

        public readonly string? Missing() =>
            Via == 0 ? SipHeaderNames.Via
            : From == 0 ? SipHeaderNames.From
            : To == 0 ? SipHeaderNames.To
            : CallId == 0 ? SipHeaderNames.CallId
            : CSeq == 0 ? SipHeaderNames.CSeq
            : null;

        public readonly bool Duplicated(out string name)
        {
            name = From > 1 ? SipHeaderNames.From
                : To > 1 ? SipHeaderNames.To
                : CallId > 1 ? SipHeaderNames.CallId
                : CSeq > 1 ? SipHeaderNames.CSeq
                : MaxForwards > 1 ? SipHeaderNames.MaxForwards
                : ContentLength > 1 ? SipHeaderNames.ContentLength
                : "";
            return name.Length > 0;
        }

        /// <summary>Commas outside quoted strings: each separates another Via value.</summary>
        private static int CountCommas(ReadOnlySpan<byte> value)
        {
            var commas = 0;
            var quoted = false;
            for (var i = 0; i < value.Length; i++)
            {
                switch (value[i])
                {
                    case (byte)'\\' when quoted:
                        i++;
                        break;
                    case (byte)'"':
                        quoted = !quoted;
                        break;
                    case (byte)',' when !quoted:
                        commas++;
                        break;
                }
            }
            return commas;
        }
    }
}
