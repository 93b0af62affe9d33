namespace Parley.Sip.Authentication;

/// <summary>Digest hash algorithms of RFC 7616 §3.3 (SHA-512/256 is not offered by SIP clients).</summary>
public enum DigestAlgorithm
{
    Md5,
    Md5Sess,
    Sha256,
    Sha256Sess,
}

/// <summary>Wire names of <see cref="DigestAlgorithm"/>.</summary>
public static class DigestAlgorithms
{
    public static string ToToken(this DigestAlgorithm algorithm) => algorithm switch
    {
        DigestAlgorithm.Md5 => "MD5",
        DigestAlgorithm.Md5Sess => "MD5-sess",
        DigestAlgorithm.Sha256 => "SHA-256",
        DigestAlgorithm.Sha256Sess => "SHA-256-sess",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown digest algorithm"),
    };

    /// <summary>Parses an algorithm token case-insensitively; absent means MD5 (RFC 7616 §3.3).</summary>
    public static bool TryParse(string? token, out DigestAlgorithm algorithm)
    {
        algorithm = DigestAlgorithm.Md5;
        if (token is null)
        {
            return true;
        }
        foreach (var candidate in (ReadOnlySpan<DigestAlgorithm>)[DigestAlgorithm.Md5, DigestAlgorithm.Md5Sess, DigestAlgorithm.Sha256, DigestAlgorithm.Sha256Sess])
        {
            if (string.Equals(token, candidate.ToToken(), StringComparison.OrdinalIgnoreCase))
            {
                algorithm = candidate;
                return true;
            }
        }
        return false;
    }

    public static bool IsSession(this DigestAlgorithm algorithm) => algorithm is DigestAlgorithm.Md5Sess or DigestAlgorithm.Sha256Sess;
}
