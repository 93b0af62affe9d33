using System.Buffers;
using System.Runtime.InteropServices;
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
        Span<char> expected = stackalloc char[MaxHexLength];
        return new string(expected[..WriteExpectedResponse(credentials, method, ha1, body, expected)]);
    }

    /// <summary>Checks the credentials' response against the stored HA1 in constant time.</summary>
    public static bool Verify(DigestCredentials credentials, string method, string ha1, ReadOnlySpan<byte> body = default)
    {
        // Every authenticated request comes here: the digests are computed in stack buffers, without strings.
        Span<char> expected = stackalloc char[MaxHexLength];
        var length = WriteExpectedResponse(credentials, method, ha1, body, expected);
        return FixedTimeEquals(expected[..length], credentials.Response);
    }

    /// <summary>Compares two hex digests without leaking where they differ (hex case ignored).</summary>
    public static bool FixedTimeEquals(string expected, string actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        return FixedTimeEquals(expected, actual.AsSpan());
    }

    private const int MaxHexLength = SHA256.HashSizeInBytes * 2;

    private static bool FixedTimeEquals(ReadOnlySpan<char> expected, ReadOnlySpan<char> actual)
    {
        // Digests are short hex; anything longer cannot match and is not worth lower-casing.
        if (expected.Length > MaxHexLength || actual.Length > MaxHexLength)
        {
            return false;
        }

        Span<char> a = stackalloc char[MaxHexLength];
        Span<char> b = stackalloc char[MaxHexLength];
        if (Ascii.ToLower(expected, a, out var aLength) != OperationStatus.Done || Ascii.ToLower(actual, b, out var bLength) != OperationStatus.Done)
        {
            return false; // not ASCII: no hex digest
        }

        return CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(a[..aLength]), MemoryMarshal.AsBytes(b[..bLength]));
    }

    /// <summary>Writes the expected request-digest (lower-case hex) into <paramref name="destination"/>; returns its length.</summary>
    private static int WriteExpectedResponse(DigestCredentials credentials, string method, string ha1, ReadOnlySpan<byte> body, Span<char> destination)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var algorithm = credentials.Algorithm;
        if (algorithm.IsSession())
        {
            ha1 = SessionHA1(algorithm, ha1, credentials.Nonce, credentials.Cnonce
                ?? throw new ArgumentException("a -sess algorithm requires a cnonce", nameof(credentials)));
        }

        Span<char> ha2 = stackalloc char[MaxHexLength];
        int ha2Length;
        var input = new DigestInput(stackalloc char[256]);
        try
        {
            input = input.Add(method).Add(credentials.Uri);
            if (string.Equals(credentials.Qop, "auth-int", StringComparison.OrdinalIgnoreCase))
            {
                Span<char> bodyHash = stackalloc char[MaxHexLength];
                input = input.Add(bodyHash[..HashHex(algorithm, body, bodyHash)]);
            }

            ha2Length = HashHex(algorithm, input.Text, ha2);
        }
        finally
        {
            input.Dispose();
        }

        var response = new DigestInput(stackalloc char[512]);
        try
        {
            response = response.Add(ha1).Add(credentials.Nonce);
            if (credentials.Qop is { } qop)
            {
                if (credentials.NonceCount is not { } nonceCount || credentials.Cnonce is not { } cnonce)
                {
                    throw new ArgumentException("qop requires a nonce count and a cnonce");
                }

                response = response.Add(nonceCount).Add(cnonce).Add(qop);
            }

            return HashHex(algorithm, response.Add(ha2[..ha2Length]).Text, destination);
        }
        finally
        {
            response.Dispose();
        }
    }

    /// <summary>The hex digest of <paramref name="text"/> (UTF-8), written to <paramref name="hex"/>; returns its length.</summary>
    private static int HashHex(DigestAlgorithm algorithm, ReadOnlySpan<char> text, Span<char> hex)
    {
        var length = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        var bytes = length <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            return HashHex(algorithm, bytes[..Encoding.UTF8.GetBytes(text, bytes)], hex);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int HashHex(DigestAlgorithm algorithm, ReadOnlySpan<byte> data, Span<char> hex)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        var length = HashData(algorithm, data, digest);
        return Convert.TryToHexStringLower(digest[..length], hex, out var written) ? written : throw new ArgumentException("destination too small", nameof(hex));
    }

    /// <summary>The parts of a digest input joined with ':', in a stack buffer that moves to a pooled array when it fills.</summary>
    private ref struct DigestInput(Span<char> initial)
    {
        private Span<char> _buffer = initial;
        private char[]? _rented;
        private int _length;

        public readonly ReadOnlySpan<char> Text => _buffer[.._length];

        public DigestInput Add(ReadOnlySpan<char> part)
        {
            var needed = _length + part.Length + 1;
            if (needed > _buffer.Length)
            {
                var larger = ArrayPool<char>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
                _buffer[.._length].CopyTo(larger);
                Dispose();
                _rented = larger;
                _buffer = larger;
            }

            if (_length > 0)
            {
                _buffer[_length++] = ':';
            }

            part.CopyTo(_buffer[_length..]);
            _length += part.Length;
            return this;
        }

        public void Dispose()
        {
            if (_rented is not null)
            {
                ArrayPool<char>.Shared.Return(_rented);
                _rented = null;
            }
        }
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
        return Convert.ToHexStringLower(digest[..HashData(algorithm, data, digest)]);
    }

    private static int HashData(DigestAlgorithm algorithm, ReadOnlySpan<byte> data, Span<byte> digest) => algorithm switch
    {
        DigestAlgorithm.Md5 or DigestAlgorithm.Md5Sess => Md5.HashData(data, digest),
        DigestAlgorithm.Sha256 or DigestAlgorithm.Sha256Sess => SHA256.HashData(data, digest),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown digest algorithm"),
    };
}
