using Parley.Sip.Authentication;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Directory;

/// <summary>
/// The HA1 of RFC 7616 §3.4.2, H(username:realm:password), stored for SIP digest instead of the password.
/// <see cref="Algorithm"/> is the digest algorithm token ("MD5" or "SHA-256"); <see cref="Ha1"/> the lower-case hex digest.
/// </summary>
public sealed record SipDigestCredential(string Algorithm, string UserName, string Realm, string Ha1)
{
    public const string Md5 = "MD5";
    public const string Sha256 = "SHA-256";

    /// <summary>Algorithms stored for every password, strongest first (the order challenges offer them).</summary>
    public static readonly IReadOnlyList<string> Algorithms = [Sha256, Md5];

    /// <summary>Derives every algorithm's HA1 for a user: username = the JID's local part, realm = its domain (RFC 7247 §4).</summary>
    public static SipDigestCredential[] Derive(Jid user, string password)
    {
        var userName = user.Local ?? throw new ArgumentException($"'{user}' has no local part.", nameof(user));
        return [.. Algorithms.Select(algorithm => new SipDigestCredential(algorithm, userName, user.Domain, ComputeHa1(algorithm, userName, user.Domain, password)))];
    }

    /// <summary>H(username ":" realm ":" password) in lower-case hex (UTF-8, as RFC 7616 §4 recommends).</summary>
    public static string ComputeHa1(string algorithm, string userName, string realm, string password)
        => DigestAlgorithms.TryParse(algorithm, out var parsed) && parsed is DigestAlgorithm.Md5 or DigestAlgorithm.Sha256
            ? DigestCalculator.HA1(parsed, userName, realm, password)
            : throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Only MD5 and SHA-256 digests are stored.");

    /// <summary>The algorithm as the SIP library's enum.</summary>
    public DigestAlgorithm DigestAlgorithm => DigestAlgorithms.TryParse(Algorithm, out var parsed)
        ? parsed
        : throw new InvalidOperationException($"Internal error: stored digest algorithm '{Algorithm}' is unknown.");

    /// <summary>Never prints the HA1: it is password-equivalent for this realm.</summary>
    public override string ToString() => $"{Algorithm} {UserName}@{Realm}";
}
