using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using Parley.Sip.Parsing;

namespace Parley.Sip.Messages;

/// <summary>
/// A SIP or SIPS URI (RFC 3261 §19.1), or any other absolute URI kept opaque (<see cref="Opaque"/>),
/// so the server can answer 416 for a scheme it does not support.
/// </summary>
public sealed class SipUri : IEquatable<SipUri>
{
    // The text form, cached so a URI is formatted once; a parsed URI starts with the text it was parsed from.
    private string? _text;
    private int _textVersion;

    public SipUri(string scheme, string? user, string host, int? port = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        ArgumentNullException.ThrowIfNull(host);
        if (port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, "port must be 0-65535");
        }
        Scheme = scheme.ToLowerInvariant();
        User = user;
        Host = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        Port = port;
    }

    private SipUri(string scheme, string opaque)
    {
        Scheme = scheme;
        Opaque = opaque;
        Host = string.Empty;
    }

    /// <summary>Stands in for a Request-URI that did not parse, so a partial request can still be answered.</summary>
    internal static SipUri Unparsable(string raw) => new("invalid", raw);

    /// <summary>Lower-cased scheme: "sip", "sips" or another one.</summary>
    public string Scheme { get; }

    /// <summary>True for sip: and sips: URIs, whose parts are parsed.</summary>
    public bool IsSip => Scheme is "sip" or "sips";

    /// <summary>Everything after "scheme:" for a non-SIP URI; null for sip/sips.</summary>
    public string? Opaque { get; }

    /// <summary>The user part with escapes decoded.</summary>
    public string? User
    {
        get;
        set
        {
            field = value;
            _text = null;
        }
    }

    /// <summary>The password with escapes decoded (deprecated by RFC 3261 but legal).</summary>
    public string? Password
    {
        get;
        set
        {
            field = value;
            _text = null;
        }
    }

    /// <summary>Host name or IP address; an IPv6 address is held without brackets.</summary>
    public string Host { get; }

    public int? Port { get; }

    public SipParameters Parameters { get; private init; } = new();

    /// <summary>The raw (escaped) header part after '?', without the '?'.</summary>
    public string? Headers
    {
        get;
        set
        {
            field = value;
            _text = null;
        }
    }

    public string? Transport => Parameters["transport"];

    public bool IsIPv6 => Host.Contains(':');

    /// <summary>Host with brackets for IPv6, as written in a URI or Via.</summary>
    public string HostReference => IsIPv6 ? "[" + Host + "]" : Host;

    public static SipUri Parse(string text)
    {
        if (!TryParse(text, out var uri))
        {
            SipParseException.Throw(SipRejectionReason.BadRequestUri, "malformed URI");
        }
        return uri;
    }

    public static bool TryParse(string? text, [NotNullWhen(true)] out SipUri? uri)
    {
        if (!TryParse(text.AsSpan(), out uri))
        {
            return false;
        }
        uri.CacheText(text!);
        return true;
    }

    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out SipUri? uri)
    {
        uri = null;
        var colon = text.IndexOf(':');
        if (colon <= 0 || !IsScheme(text[..colon]))
        {
            return false;
        }
        var scheme = text[..colon] switch
        {
            var s when s.Equals("sip", StringComparison.OrdinalIgnoreCase) => "sip",
            var s when s.Equals("sips", StringComparison.OrdinalIgnoreCase) => "sips",
            var s => s.ToString().ToLowerInvariant(),
        };
        var rest = text[(colon + 1)..];
        if (scheme is not ("sip" or "sips"))
        {
            // RFC 3261 absoluteURI: kept opaque; it only has to be free of whitespace and brackets.
            if (rest.IsEmpty || rest.ContainsAny(" \t\r\n<>\""))
            {
                return false;
            }
            uri = new SipUri(scheme, rest.ToString());
            return true;
        }

        string? user = null;
        string? password = null;
        var at = rest.IndexOf('@');
        if (at >= 0)
        {
            var userinfo = rest[..at];
            rest = rest[(at + 1)..];
            var passwordColon = userinfo.IndexOf(':');
            var userPart = passwordColon < 0 ? userinfo : userinfo[..passwordColon];
            if (userPart.IsEmpty || !SipGrammar.IsValidEscapedText(userPart, password: false))
            {
                return false;
            }
            user = SipGrammar.Unescape(userPart);
            if (passwordColon >= 0)
            {
                var passwordPart = userinfo[(passwordColon + 1)..];
                if (!SipGrammar.IsValidEscapedText(passwordPart, password: true))
                {
                    return false;
                }
                password = SipGrammar.Unescape(passwordPart);
            }
        }

        string? headers = null;
        var question = rest.IndexOf('?');
        if (question >= 0)
        {
            var headerPart = rest[(question + 1)..];
            if (headerPart.IsEmpty || headerPart.ContainsAny(" \t\r\n<>\""))
            {
                return false;
            }
            headers = headerPart.ToString();
            rest = rest[..question];
        }

        var semicolon = rest.IndexOf(';');
        var hostport = semicolon < 0 ? rest : rest[..semicolon];
        if (!TryParseHostPort(hostport, out var host, out var port)
            || !SipParameters.TryParseUriParameters(semicolon < 0 ? [] : rest[semicolon..], out var parameters))
        {
            return false;
        }
        uri = new SipUri(scheme, user, host, port) { Password = password, Headers = headers, Parameters = parameters };
        return true;
    }

    /// <summary>Parses <c>host [":" port]</c> where host is a name, IPv4 or "[IPv6]".</summary>
    internal static bool TryParseHostPort(ReadOnlySpan<char> text, [NotNullWhen(true)] out string? host, out int? port)
    {
        host = null;
        port = null;
        ReadOnlySpan<char> portText;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            if (close < 0 || !IPAddress.TryParse(text[1..close], out var address) || address.AddressFamily != AddressFamily.InterNetworkV6
                || text[1..close].Contains('%'))
            {
                return false;
            }
            host = text[1..close].ToString();
            portText = text[(close + 1)..];
        }
        else
        {
            var colon = text.IndexOf(':');
            var name = colon < 0 ? text : text[..colon];
            if (!SipGrammar.IsHostName(name) || name[0] is '-' or '.')
            {
                return false;
            }
            host = name.ToString();
            portText = colon < 0 ? [] : text[colon..];
        }
        if (portText.IsEmpty)
        {
            return true;
        }
        if (portText[0] != ':' || portText.Length is < 2 or > 6
            || !int.TryParse(portText[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > 65535)
        {
            return false;
        }
        port = value;
        return true;
    }

    private static bool IsScheme(ReadOnlySpan<char> scheme)
    {
        if (!char.IsAsciiLetter(scheme[0]))
        {
            return false;
        }
        foreach (var c in scheme)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '-' or '.'))
            {
                return false;
            }
        }
        return true;
    }

    public SipUri Clone() => Opaque is not null
        ? new SipUri(Scheme, Opaque)
        : new SipUri(Scheme, User, Host, Port) { Password = Password, Headers = Headers, Parameters = Parameters.Clone() };

    public override string ToString()
    {
        if (_text is not null && _textVersion == Parameters.Version)
        {
            return _text;
        }
        // Every request Parley builds writes its Request-URI, From and To URIs: a stack buffer, not a StringBuilder.
        var builder = new DefaultInterpolatedStringHandler(0, 0, CultureInfo.InvariantCulture, stackalloc char[128]);
        Format(ref builder);
        var text = builder.ToStringAndClear();
        CacheText(text);
        return text;
    }

    /// <summary>Writes the URI, escaping user and password per RFC 3261 §19.1.2 and bracketing IPv6.</summary>
    public void AppendTo(StringBuilder builder) => builder.Append(ToString());

    private void CacheText(string text)
    {
        _text = text;
        _textVersion = Parameters.Version;
    }

    private void Format(ref DefaultInterpolatedStringHandler builder)
    {
        builder.AppendLiteral(Scheme);
        builder.AppendFormatted(':');
        if (Opaque is not null)
        {
            builder.AppendLiteral(Opaque);
            return;
        }
        if (User is not null)
        {
            SipGrammar.AppendEscaped(ref builder, User, password: false);
            if (Password is not null)
            {
                builder.AppendFormatted(':');
                SipGrammar.AppendEscaped(ref builder, Password, password: true);
            }
            builder.AppendFormatted('@');
        }
        builder.AppendLiteral(HostReference);
        if (Port is { } port)
        {
            builder.AppendFormatted(':');
            builder.AppendFormatted(port);
        }
        Parameters.AppendTo(ref builder);
        if (Headers is not null)
        {
            builder.AppendFormatted('?');
            builder.AppendLiteral(Headers);
        }
    }

    /// <summary>URI comparison of RFC 3261 §19.1.4.</summary>
    public bool Equals(SipUri? other)
    {
        if (other is null)
        {
            return false;
        }
        if (ReferenceEquals(this, other))
        {
            return true;
        }
        if (Scheme != other.Scheme)
        {
            return false;
        }
        if (Opaque is not null || other.Opaque is not null)
        {
            return string.Equals(Opaque, other.Opaque, StringComparison.Ordinal);
        }
        if (!string.Equals(User, other.User, StringComparison.Ordinal)
            || !string.Equals(Password, other.Password, StringComparison.Ordinal)
            || !string.Equals(Host, other.Host, StringComparison.OrdinalIgnoreCase)
            || Port != other.Port)
        {
            return false;
        }
        // user, ttl, method, maddr and transport must match when either side has them;
        // any other parameter only when both have it.
        foreach (var (name, value) in Parameters)
        {
            if (IsStrictParameter(name) || other.Parameters.Contains(name))
            {
                if (!ParameterValueEquals(value, other.Parameters[name]) || !other.Parameters.Contains(name))
                {
                    return false;
                }
            }
        }
        foreach (var (name, _) in other.Parameters)
        {
            if (IsStrictParameter(name) && !Parameters.Contains(name))
            {
                return false;
            }
        }
        return HeadersEqual(Headers, other.Headers);
    }

    public override bool Equals(object? obj) => Equals(obj as SipUri);

    public override int GetHashCode() => HashCode.Combine(Scheme, User, Host.ToLowerInvariant(), Port);

    private static bool IsStrictParameter(string name) =>
        name.Equals("user", StringComparison.OrdinalIgnoreCase) || name.Equals("ttl", StringComparison.OrdinalIgnoreCase)
        || name.Equals("method", StringComparison.OrdinalIgnoreCase) || name.Equals("maddr", StringComparison.OrdinalIgnoreCase)
        || name.Equals("transport", StringComparison.OrdinalIgnoreCase);

    private static bool ParameterValueEquals(string? a, string? b) =>
        a is null || b is null ? a == b : SipGrammar.Unescape(a).Equals(SipGrammar.Unescape(b), StringComparison.OrdinalIgnoreCase);

    private static bool HeadersEqual(string? a, string? b)
    {
        if (a is null || b is null)
        {
            return a == b;
        }
        var left = a.Split('&').Select(h => SipGrammar.Unescape(h)).Order(StringComparer.Ordinal);
        var right = b.Split('&').Select(h => SipGrammar.Unescape(h)).Order(StringComparer.Ordinal);
        return left.SequenceEqual(right, StringComparer.Ordinal);
    }
}
