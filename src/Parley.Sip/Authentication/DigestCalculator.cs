using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Parley.Sip.Authentication;

/// <summary>
/// Digest computations of RFC 7616 §3.4.1-3.4.3 (MD5 and SHA-256, plain and -sess), with RFC 2617
/// compatibility when the credentials carry no qop. Every result is lower-case hex.
/// </summary>
public static class DigestCalculator
{
    /// <summary>H(username:realm:password) — what a server stores instead of the password.</summary>
    public static string HA1(DigestAlgorithm algorithm, string username, string realm, string password) =>
        Hash(algorithm, username + ":" + realm + ":" + password);

    /// <summary>The -sess variant: H(H(username:realm:password):nonce:cnonce), from a stored HA1.</summary>
    public static string SessionHA1(DigestAlgorithm algorithm, string ha1, string nonce, string cnonce) =>
        Hash(algorithm, ha1 + ":" + nonce + ":" + cnonce);

    /// <summary>H(method:digest-uri) for qop=auth or no qop; H(method:digest-uri:H(body)) for qop=auth-int.</summary>
    public static string HA2(DigestAlgorithm algorithm, string method, string digestUri, string? qop = null, ReadOnlySpan<byte> body = default) =>
        string.Equals(qop, "auth-int", StringComparison.OrdinalIgnoreCase)
            ? Hash(algorithm, method + ":" + digestUri + ":" + Hash(algorithm, body))
            : Hash(algorithm, method + ":" + digestUri);

    /// <summary>
    /// The request-digest: H(HA1:nonce:nc:cnonce:qop:HA2) with qop, H(HA1:nonce:HA2) without (RFC 2617 §3.2.2.1).
    /// </summary>
    public static string Response(DigestAlgorithm algorithm, string ha1, string nonce, string? nonceCount, string? cnonce, string? qop, string ha2)
    {
        if (qop is null)
        {
            return Hash(algorithm, ha1 + ":" + nonce + ":" + ha2);
        }
        if (nonceCount is null || cnonce is null)
        {
            throw new ArgumentException("qop requires a nonce count and a cnonce");
        }
        return Hash(algorithm, ha1 + ":" + nonce + ":" + nonceCount + ":" + cnonce + ":" + qop + ":" + ha2);
    }

    /// <summary>RFC 7616 §3.4.4: the hashed username H(username:realm).</summary>
    public static string UserHash(DigestAlgorithm algorithm, string username, string realm) =>
        Hash(algorithm, username + ":" + realm);

    /// <summary>
    /// The response the credentials should carry for <paramref name="method"/>, given the stored HA1
    /// for the plain algorithm (the -sess step is applied here).
    /// </summary>
    public static string ExpectedResponse(DigestCredentials credentials, string method, string ha1, ReadOnlySpan<byte> body = default)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var algorithm = credentials.Algorithm;
        if (algorithm.IsSession())
        {
            ha1 = SessionHA1(algorithm, ha1, credentials.Nonce, credentials.Cnonce
                ?? throw new ArgumentException("a -sess algorithm requires a cnonce", nameof(credentials)));
        }
        var ha2 = HA2(algorithm, method, credentials.Uri, credentials.Qop, body);
        return Response(algorithm, ha1, credentials.Nonce, credentials.NonceCount, credentials.Cnonce, credentials.Qop, ha2);
    }

    /// <summary>Checks the credentials' response against the stored HA1 in constant time.</summary>
    public static bool Verify(DigestCredentials credentials, string method, string ha1, ReadOnlySpan<byte> body = default) =>
        FixedTimeEquals(ExpectedResponse(credentials, method, ha1, body), credentials.Response);

    /// <summary>Compares two hex digests without leaking where they differ (hex case ignored).</summary>
    public static bool FixedTimeEquals(string expected, string actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        var a = Encoding.ASCII.GetBytes(expected.ToLowerInvariant());
        var b = Encoding.ASCII.GetBytes(actual.ToLowerInvariant());
        return CryptographicOperations.FixedTimeEquals(a, b);
    }

    private static string Hash(DigestAlgorithm algorithm, string text)
    {
        var length = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        var bytes = length <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            return Hash(algorithm, bytes[..Encoding.UTF8.GetBytes(text, bytes)]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static string Hash(DigestAlgorithm algorithm, ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        var length = algorithm switch
        {
            DigestAlgorithm.Md5 or DigestAlgorithm.Md5Sess => Md5.HashData(data, digest),
            DigestAlgorithm.Sha256 or DigestAlgorithm.Sha256Sess => SHA256.HashData(data, digest),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown digest algorithm"),
        };
        return Convert.ToHexStringLower(digest[..length]);
    }
}
