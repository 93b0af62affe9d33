namespace Parley.Sip.Parsing;

/// <summary>Why a message was refused. <see cref="SipRejection.StatusCode"/> is the one table to a SIP status.</summary>
public enum SipRejectionReason
{
    /// <summary>The request or status line does not follow RFC 3261 §7.1/§7.2 (400).</summary>
    InvalidStartLine,
    /// <summary>The Request-URI does not parse (400).</summary>
    BadRequestUri,
    /// <summary>The request line is longer than <see cref="SipLimits.MaxStartLineBytes"/> (414).</summary>
    RequestUriTooLong,
    /// <summary>A status line longer than <see cref="SipLimits.MaxStartLineBytes"/> (400; responses are not answered).</summary>
    StatusLineTooLong,
    /// <summary>The SIP-Version is not SIP/2.0 (505).</summary>
    UnsupportedVersion,
    /// <summary>A header line is not <c>name: value</c> (400).</summary>
    MalformedHeader,
    /// <summary>A header value is malformed for its type, e.g. Via, CSeq, From (400).</summary>
    BadHeader,
    /// <summary>Bytes that are not UTF-8 in the start line or headers (400).</summary>
    InvalidUtf8,
    /// <summary>Via, From, To, Call-ID, CSeq or Max-Forwards (requests) is missing (400).</summary>
    MissingRequiredHeader,
    /// <summary>A single-valued header (From, To, Call-ID, CSeq, Max-Forwards, Content-Length) appears twice (400).</summary>
    DuplicateHeader,
    /// <summary>The CSeq method differs from the request method (400, RFC 4475 §3.1.2.16).</summary>
    CSeqMethodMismatch,
    /// <summary>No Content-Length on a stream transport (400, RFC 3261 §18.3).</summary>
    MissingContentLength,
    /// <summary>Content-Length is negative, not a number, or too large for an int (400).</summary>
    InvalidContentLength,
    /// <summary>A datagram's Content-Length promises more bytes than it holds (400, RFC 3261 §18.3).</summary>
    ContentLengthExceedsDatagram,
    /// <summary>Headers plus the body Content-Length announce exceed <see cref="SipLimits.MaxMessageBytes"/> (413).</summary>
    BodyTooLarge,
    /// <summary>The header section does not end within <see cref="SipLimits.MaxMessageBytes"/> or a datagram is larger than it (513).</summary>
    MessageTooLarge,
    /// <summary>A header line is longer than <see cref="SipLimits.MaxHeaderLineBytes"/> (513).</summary>
    HeaderLineTooLong,
    /// <summary>More header lines than <see cref="SipLimits.MaxHeaderCount"/> (513).</summary>
    TooManyHeaders,
    /// <summary>More Via values than <see cref="SipLimits.MaxViaCount"/> (513).</summary>
    TooManyVias,
}

/// <summary>
/// The single table from rejection reason to status code. RFC 3261 §21.4.11: 413 is a request whose
/// <em>body</em> is larger than the server will process; §21.5.14: 513 is a message whose overall length
/// (here: the header section, a header line or count, or a datagram) exceeds the server's capabilities;
/// §21.4.12: 414 is a Request-URI too long; §21.5.6: 505 an unsupported SIP version; all else is 400.
/// </summary>
public static class SipRejection
{
    public static int StatusCode(SipRejectionReason reason) => reason switch
    {
        SipRejectionReason.RequestUriTooLong => 414,
        SipRejectionReason.UnsupportedVersion => 505,
        SipRejectionReason.BodyTooLarge => 413,
        SipRejectionReason.MessageTooLarge or SipRejectionReason.HeaderLineTooLong
            or SipRejectionReason.TooManyHeaders or SipRejectionReason.TooManyVias => 513,
        SipRejectionReason.InvalidStartLine or SipRejectionReason.BadRequestUri
            or SipRejectionReason.StatusLineTooLong or SipRejectionReason.MalformedHeader
            or SipRejectionReason.BadHeader or SipRejectionReason.InvalidUtf8
            or SipRejectionReason.MissingRequiredHeader or SipRejectionReason.DuplicateHeader
            or SipRejectionReason.CSeqMethodMismatch or SipRejectionReason.MissingContentLength
            or SipRejectionReason.InvalidContentLength or SipRejectionReason.ContentLengthExceedsDatagram => 400,
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "unknown rejection reason"),
    };
}
