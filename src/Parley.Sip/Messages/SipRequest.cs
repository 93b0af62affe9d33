namespace Parley.Sip.Messages;

/// <summary>A SIP request: method, Request-URI, headers and body.</summary>
public sealed class SipRequest : SipMessage
{
    internal SipRequest(string method, SipUri requestUri, SipHeaderCollection headers, ReadOnlyMemory<byte> body)
        : base(headers, body)
    {
        Method = method;
        RequestUri = requestUri;
    }

    /// <summary>The method as received (case-sensitive; known methods are the <see cref="SipMethods"/> constants).</summary>
    public string Method { get; }

    public SipUri RequestUri { get; set; }

    /// <summary>An empty request; the caller adds Via, From, To, Call-ID, CSeq and Max-Forwards.</summary>
    public static SipRequest Create(string method, SipUri requestUri)
    {
        if (!SipGrammar.IsToken(method))
        {
            throw new ArgumentException($"'{method}' is not a method token", nameof(method));
        }
        ArgumentNullException.ThrowIfNull(requestUri);
        return new SipRequest(SipMethods.Intern(method), requestUri, new SipHeaderCollection(), ReadOnlyMemory<byte>.Empty);
    }

    /// <summary>A copy with its own headers (the body bytes are shared: they are read-only).</summary>
    public SipRequest Clone() => new(Method, RequestUri.Clone(), Headers.Clone(), Body);
}
