namespace Parley.Sip.Messages;

/// <summary>A SIP response: status code, reason phrase, headers and body.</summary>
public sealed class SipResponse : SipMessage
{
    internal SipResponse(int statusCode, string reasonPhrase, SipHeaderCollection headers, ReadOnlyMemory<byte> body)
        : base(headers, body)
    {
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
    }

    public int StatusCode { get; }

    /// <summary>
    /// Made by this stack's client transaction rather than received (408 on timer B/F, 503 on a transport error,
    /// RFC 3261 §17.1.4): the destination never answered.
    /// </summary>
    public bool IsSynthesized { get; internal set; }

    /// <summary>For a 503 the transaction layer made up because the request could not be sent (§17.1.4): why.</summary>
    public Exception? TransportFailure { get; internal set; }

    public string ReasonPhrase { get; set; }

    public bool IsProvisional => StatusCode < 200;

    public bool IsSuccess => StatusCode is >= 200 and < 300;

    public bool IsFinal => StatusCode >= 200;

    /// <summary>A response with no headers yet.</summary>
    public static SipResponse Create(int statusCode, string? reason = null)
    {
        if (statusCode is < 100 or > 699)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "SIP status codes are 100-699");
        }
        reason ??= SipStatusCodes.ReasonPhrase(statusCode);
        if (reason.AsSpan().ContainsAny('\r', '\n'))
        {
            throw new ArgumentException("reason phrase must not contain CR or LF", nameof(reason));
        }
        return new SipResponse(statusCode, reason, new SipHeaderCollection(), ReadOnlyMemory<byte>.Empty);
    }

    /// <summary>
    /// RFC 3261 §8.2.6: copies every Via (in order), From, To, Call-ID and CSeq, and Timestamp for a 100;
    /// adds <paramref name="toTag"/> when the To header has no tag yet. A 101–299 also copies every Record-Route
    /// (§12.1.1: the UAC builds the dialog's route set from them; harmless on a request that creates no dialog).
    /// </summary>
    public static SipResponse CreateFor(SipRequest request, int statusCode, string? reason = null, string? toTag = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = Create(statusCode, reason);
        var source = request.Headers;
        for (var i = 0; i < source.LineCount; i++)
        {
            var name = source.NameAt(i);
            if (name == SipHeaderNames.Via || name == SipHeaderNames.From
                || name == SipHeaderNames.CallId || name == SipHeaderNames.CSeq
                || (statusCode == SipStatusCodes.Trying && name == SipHeaderNames.Timestamp)
                || (statusCode is > SipStatusCodes.Trying and < 300 && name == SipHeaderNames.RecordRoute))
            {
                response.Headers.AddCopy(source, i);
            }
            else if (name == SipHeaderNames.To && !response.Headers.Contains(SipHeaderNames.To))
            {
                if (toTag is not null && request.TryGetTo(out var address) && address.Tag is null)
                {
                    // The request's To as received plus the tag: a tag is a header parameter whether or not the URI is
                    // in angle brackets (RFC 3261 §20.10), so appending it needs no parse and re-serialization.
                    response.Headers.Add(SipHeaderNames.To, string.Concat(source.ValueAt(i).AsSpan().Trim(" \t"), ";tag=", toTag));
                }
                else
                {
                    response.Headers.AddCopy(source, i);
                }
            }
        }

        response.ShareTopVia(request);
        return response;
    }
}
