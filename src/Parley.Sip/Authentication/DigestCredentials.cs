using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Text;

namespace Parley.Sip.Authentication;

/// <summary>Digest credentials in Authorization or Proxy-Authorization (RFC 3261 §22.4, RFC 7616 §3.4).</summary>
public sealed class DigestCredentials
{
    public required string Username { get; init; }

    /// <summary>True when <see cref="Username"/> is the RFC 7616 §3.4.4 hash H(username:realm), not the name.</summary>
    public bool UserHash { get; init; }

    public required string Realm { get; init; }

    public required string Nonce { get; init; }

    /// <summary>The digest-uri as the client sent it (compared with the Request-URI by the server).</summary>
    public required string Uri { get; init; }

    /// <summary>The request-digest, lower-case hex.</summary>
    public required string Response { get; init; }

    public DigestAlgorithm Algorithm { get; init; } = DigestAlgorithm.Md5;

    public string? Cnonce { get; init; }

    public string? Opaque { get; init; }

    /// <summary>"auth" or "auth-int"; null for RFC 2617 compatibility without qop.</summary>
    public string? Qop { get; init; }

    /// <summary>The nonce count as sent: eight hex digits, present with qop.</summary>
    public string? NonceCount { get; init; }

    /// <summary>The nonce count as a number, when present.</summary>
    public uint? NonceCountValue =>
        NonceCount is not null && uint.TryParse(NonceCount, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var nc) ? nc : null;

    /// <summary>
    /// Parses Digest credentials. False for another scheme (see <see cref="Scheme"/>), a missing
    /// username/realm/nonce/uri/response, an unknown algorithm, a qop without cnonce and nc, or a malformed nc.
    /// </summary>
    public static bool TryParse(string? value, [NotNullWhen(true)] out DigestCredentials? credentials)
    {
        credentials = null;
        if (value is null || !AuthParameters.TryParse(value, out var scheme, out var p)
            || !scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase)
            || !TryGetUsername(p, out var username)
            || !p.TryGetValue("realm", out var realm) || !p.TryGetValue("nonce", out var nonce)
            || !p.TryGetValue("uri", out var uri) || !p.TryGetValue("response", out var response)
            || !DigestAlgorithms.TryParse(p.GetValueOrDefault("algorithm"), out var algorithm))
        {
            return false;
        }
        var qop = p.GetValueOrDefault("qop");
        var nc = p.GetValueOrDefault("nc");
        var cnonce = p.GetValueOrDefault("cnonce");
        if (qop is not null && (cnonce is null || nc is null))
        {
            return false;
        }
        if (nc is not null && (nc.Length != 8 || !nc.All(char.IsAsciiHexDigit)))
        {
            return false;
        }
        credentials = new DigestCredentials
        {
            Username = username,
            UserHash = string.Equals(p.GetValueOrDefault("userhash"), "true", StringComparison.OrdinalIgnoreCase),
            Realm = realm,
            Nonce = nonce,
            Uri = uri,
            Response = response,
            Algorithm = algorithm,
            Cnonce = cnonce,
            Opaque = p.GetValueOrDefault("opaque"),
            Qop = qop,
            NonceCount = nc,
        };
        return true;
    }

    /// <summary>The scheme of an Authorization value (e.g. "Digest"), or null when there is none.</summary>
    public static string? Scheme(string value) => AuthParameters.Scheme(value);

    /// <summary>The header value: <c>Digest username="...", realm="...", ...</c>.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder("Digest");
        var first = true;
        AuthParameters.AppendQuoted(builder, "username", Username, ref first);
        AuthParameters.AppendQuoted(builder, "realm", Realm, ref first);
        AuthParameters.AppendQuoted(builder, "nonce", Nonce, ref first);
        AuthParameters.AppendQuoted(builder, "uri", Uri, ref first);
        AuthParameters.AppendQuoted(builder, "response", Response, ref first);
        AuthParameters.AppendToken(builder, "algorithm", Algorithm.ToToken(), ref first);
        if (Cnonce is not null)
        {
            AuthParameters.AppendQuoted(builder, "cnonce", Cnonce, ref first);
        }
        if (Opaque is not null)
        {
            AuthParameters.AppendQuoted(builder, "opaque", Opaque, ref first);
        }
        if (Qop is not null)
        {
            AuthParameters.AppendToken(builder, "qop", Qop, ref first);
        }
        if (NonceCount is not null)
        {
            AuthParameters.AppendToken(builder, "nc", NonceCount, ref first);
        }
        if (UserHash)
        {
            AuthParameters.AppendToken(builder, "userhash", "true", ref first);
        }
        return builder.ToString();
    }

    /// <summary>username, or username* in the RFC 8187 form <c>UTF-8''percent-encoded</c> (RFC 7616 §3.4.4).</summary>
    private static bool TryGetUsername(AuthParameterList p, [NotNullWhen(true)] out string? username)
    {
        if (p.TryGetValue("username", out username))
        {
            return !p.ContainsKey("username*");
        }
        if (p.TryGetValue("username*", out var extended))
        {
            const string Prefix = "UTF-8''";
            if (extended.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                var encoded = extended[Prefix.Length..];
                if (encoded.Length > 0 && !encoded.Contains('+'))
                {
                    username = WebUtility.UrlDecode(encoded);
                    return true;
                }
            }
        }
        username = null;
        return false;
    }
}
