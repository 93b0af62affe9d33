using System.Collections.Frozen;

namespace Parley.Sip.Messages;

/// <summary>
/// Canonical header names. Every known name, in any letter case or compact form, maps to one of these
/// interned constants so the rest of the stack compares names ordinally.
/// </summary>
public static class SipHeaderNames
{
    public const string Accept = "Accept";
    public const string AcceptContact = "Accept-Contact";
    public const string AcceptEncoding = "Accept-Encoding";
    public const string AcceptLanguage = "Accept-Language";
    public const string AlertInfo = "Alert-Info";
    public const string Allow = "Allow";
    public const string AllowEvents = "Allow-Events";
    public const string AuthenticationInfo = "Authentication-Info";
    public const string Authorization = "Authorization";
    public const string CallId = "Call-ID";
    public const string CallInfo = "Call-Info";
    public const string Contact = "Contact";
    public const string ContentDisposition = "Content-Disposition";
    public const string ContentEncoding = "Content-Encoding";
    public const string ContentLanguage = "Content-Language";
    public const string ContentLength = "Content-Length";
    public const string ContentType = "Content-Type";
    public const string CSeq = "CSeq";
    public const string Date = "Date";
    public const string ErrorInfo = "Error-Info";
    public const string Event = "Event";
    public const string Expires = "Expires";
    public const string From = "From";
    public const string Identity = "Identity";
    public const string IdentityInfo = "Identity-Info";
    public const string InReplyTo = "In-Reply-To";
    public const string MaxForwards = "Max-Forwards";
    public const string MimeVersion = "MIME-Version";
    public const string MinExpires = "Min-Expires";
    public const string MinSE = "Min-SE";
    public const string Organization = "Organization";
    public const string Path = "Path";
    public const string Priority = "Priority";
    public const string ProxyAuthenticate = "Proxy-Authenticate";
    public const string ProxyAuthorization = "Proxy-Authorization";
    public const string ProxyRequire = "Proxy-Require";
    public const string RAck = "RAck";
    public const string Reason = "Reason";
    public const string RecordRoute = "Record-Route";
    public const string ReferredBy = "Referred-By";
    public const string ReferTo = "Refer-To";
    public const string RejectContact = "Reject-Contact";
    public const string ReplyTo = "Reply-To";
    public const string RequestDisposition = "Request-Disposition";
    public const string Require = "Require";
    public const string RetryAfter = "Retry-After";
    public const string Route = "Route";
    public const string RSeq = "RSeq";
    public const string Server = "Server";
    public const string ServiceRoute = "Service-Route";
    public const string SessionExpires = "Session-Expires";
    public const string SipETag = "SIP-ETag";
    public const string SipIfMatch = "SIP-If-Match";
    public const string Subject = "Subject";
    public const string SubscriptionState = "Subscription-State";
    public const string Supported = "Supported";
    public const string Timestamp = "Timestamp";
    public const string To = "To";
    public const string Unsupported = "Unsupported";
    public const string UserAgent = "User-Agent";
    public const string Via = "Via";
    public const string Warning = "Warning";
    public const string WwwAuthenticate = "WWW-Authenticate";

    /// <summary>The longest known name; longer wire names cannot be known and skip the lookup.</summary>
    private const int MaxKnownLength = 20;

    // Immutable lookup tables built once; a frozen dictionary with an ignore-case comparer lets a
    // span be looked up without allocating.
    private static readonly FrozenDictionary<string, string> KnownNames = BuildKnown();
    private static readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> KnownBySpan =
        KnownNames.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly FrozenSet<string> Lists = new[]
    {
        Accept, AcceptContact, AcceptEncoding, AcceptLanguage, AlertInfo, Allow, AllowEvents, CallInfo,
        Contact, ContentEncoding, ContentLanguage, ErrorInfo, InReplyTo, Path, ProxyRequire, Reason,
        RecordRoute, RejectContact, RequestDisposition, Require, Route, ServiceRoute, Supported,
        Unsupported, Via, Warning,
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// The canonical interned name for a wire name: compact forms (i m f t v l c e s k o u r b x y n a j d)
    /// and any letter case map to the constant; an unknown name keeps its spelling.
    /// </summary>
    public static string Canonicalize(ReadOnlySpan<char> name) => Known(name) ?? name.ToString();

    /// <summary>The canonical constant when <paramref name="name"/> is a known name or compact form, else null.</summary>
    public static string? Known(ReadOnlySpan<char> name) =>
        name.Length <= MaxKnownLength && KnownBySpan.TryGetValue(name, out var canonical) ? canonical : null;

    /// <summary>Canonicalizes a wire name given as bytes (already validated as token characters).</summary>
    internal static string Canonicalize(ReadOnlySpan<byte> name)
    {
        if (name.Length <= MaxKnownLength)
        {
            Span<char> chars = stackalloc char[MaxKnownLength];
            for (var i = 0; i < name.Length; i++)
            {
                chars[i] = (char)name[i];
            }
            if (KnownBySpan.TryGetValue(chars[..name.Length], out var canonical))
            {
                return canonical;
            }
        }
        return System.Text.Encoding.ASCII.GetString(name);
    }

    /// <summary>True for headers whose value is a comma-separated list that may be split (RFC 3261 §7.3.1).</summary>
    public static bool IsList(string canonical) => Lists.Contains(canonical);

    private static FrozenDictionary<string, string> BuildKnown()
    {
        string[] names =
        [
            Accept, AcceptContact, AcceptEncoding, AcceptLanguage, AlertInfo, Allow, AllowEvents,
            AuthenticationInfo, Authorization, CallId, CallInfo, Contact, ContentDisposition, ContentEncoding,
            ContentLanguage, ContentLength, ContentType, CSeq, Date, ErrorInfo, Event, Expires, From, Identity,
            IdentityInfo, InReplyTo, MaxForwards, MimeVersion, MinExpires, MinSE, Organization, Path, Priority,
            ProxyAuthenticate, ProxyAuthorization, ProxyRequire, RAck, Reason, RecordRoute, ReferredBy, ReferTo,
            RejectContact, ReplyTo, RequestDisposition, Require, RetryAfter, Route, RSeq, Server, ServiceRoute,
            SessionExpires, SipETag, SipIfMatch, Subject, SubscriptionState, Supported, Timestamp, To,
            Unsupported, UserAgent, Via, Warning, WwwAuthenticate,
        ];
        var map = names.ToDictionary(n => n, n => n, StringComparer.OrdinalIgnoreCase);
        // Compact forms: RFC 3261 §7.3.3 and §20, RFC 3265 (o, u), RFC 3515 (r), RFC 3892 (b),
        // RFC 4028 (x), RFC 4474 (y, n), RFC 3841 (a, j, d).
        (string Compact, string Full)[] compact =
        [
            ("i", CallId), ("m", Contact), ("f", From), ("t", To), ("v", Via), ("l", ContentLength),
            ("c", ContentType), ("e", ContentEncoding), ("s", Subject), ("k", Supported), ("o", Event),
            ("u", AllowEvents), ("r", ReferTo), ("b", ReferredBy), ("x", SessionExpires), ("y", Identity),
            ("n", IdentityInfo), ("a", AcceptContact), ("j", RejectContact), ("d", RequestDisposition),
        ];
        foreach (var (c, full) in compact)
        {
            map[c] = full;
        }
        return map.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }
}
