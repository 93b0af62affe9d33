using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using Parley.Sip.Messages;

namespace Parley.Sip.Authentication;

/// <summary>A Digest challenge in WWW-Authenticate or Proxy-Authenticate (RFC 3261 §22.4, RFC 7616 §3.3).</summary>
public sealed class DigestChallenge
{
    public DigestChallenge(string realm, string nonce)
    {
        ArgumentNullException.ThrowIfNull(realm); // an empty realm is legal
        ArgumentException.ThrowIfNullOrEmpty(nonce);
        Realm = realm;
        Nonce = nonce;
    }

    public string Realm { get; }

    public string Nonce { get; }

    public string? Opaque { get; init; }

    public DigestAlgorithm Algorithm { get; init; } = DigestAlgorithm.Md5;

    /// <summary>The qop options offered, e.g. ["auth"]; empty for an RFC 2069/2617 challenge without qop.</summary>
    public IReadOnlyList<string> Qop { get; init; } = [];

    /// <summary>The previous request used a nonce that expired; retry without asking the user again.</summary>
    public bool Stale { get; init; }

    public string? Domain { get; init; }

    /// <summary>RFC 7616 §3.4.4: the server accepts a hashed username.</summary>
    public bool UserHash { get; init; }

    /// <summary>"UTF-8" when the server announces it (RFC 7616 §4).</summary>
    public string? Charset { get; init; }

    /// <summary>Parses a Digest challenge; false for another scheme, a missing realm or nonce, or an unknown algorithm.</summary>
    public static bool TryParse(string? value, [NotNullWhen(true)] out DigestChallenge? challenge)
    {
        challenge = null;
        if (value is null || !AuthParameters.TryParse(value, out var scheme, out var p)
            || !scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase)
            || !p.TryGetValue("realm", out var realm) || !p.TryGetValue("nonce", out var nonce) || nonce.Length == 0
            || !DigestAlgorithms.TryParse(p.GetValueOrDefault("algorithm"), out var algorithm))
        {
            return false;
        }
        challenge = new DigestChallenge(realm, nonce)
        {
            Opaque = p.GetValueOrDefault("opaque"),
            Algorithm = algorithm,
            Qop = p.TryGetValue("qop", out var qop) ? HeaderValueSplitter.Split(qop) : [],
            Stale = string.Equals(p.GetValueOrDefault("stale"), "true", StringComparison.OrdinalIgnoreCase),
            Domain = p.GetValueOrDefault("domain"),
            UserHash = string.Equals(p.GetValueOrDefault("userhash"), "true", StringComparison.OrdinalIgnoreCase),
            Charset = p.GetValueOrDefault("charset"),
        };
        return true;
    }

    /// <summary>The header value: <c>Digest realm="...", nonce="...", ...</c>.</summary>
    public override string ToString()
    {
        // Built for every challenge sent (each unauthenticated request): in a stack buffer, not a StringBuilder.
        var builder = new DefaultInterpolatedStringHandler(0, 0, CultureInfo.InvariantCulture, stackalloc char[256]);
        builder.AppendLiteral("Digest");
        var first = true;
        AuthParameters.AppendQuoted(ref builder, "realm", Realm, ref first);
        AuthParameters.AppendQuoted(ref builder, "nonce", Nonce, ref first);
        if (Opaque is not null)
        {
            AuthParameters.AppendQuoted(ref builder, "opaque", Opaque, ref first);
        }
        if (Domain is not null)
        {
            AuthParameters.AppendQuoted(ref builder, "domain", Domain, ref first);
        }
        AuthParameters.AppendToken(ref builder, "algorithm", Algorithm.ToToken(), ref first);
        if (Qop.Count > 0)
        {
            AuthParameters.AppendQuoted(ref builder, "qop", Qop.Count == 1 ? Qop[0] : string.Join(',', Qop), ref first);
        }
        if (Stale)
        {
            AuthParameters.AppendToken(ref builder, "stale", "TRUE", ref first);
        }
        if (Charset is not null)
        {
            AuthParameters.AppendToken(ref builder, "charset", Charset, ref first);
        }
        if (UserHash)
        {
            AuthParameters.AppendToken(ref builder, "userhash", "true", ref first);
        }
        return builder.ToStringAndClear();
    }
}
