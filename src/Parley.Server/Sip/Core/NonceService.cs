using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Parley.Server.Sip.Core;

/// <summary>What a presented nonce is worth.</summary>
public enum NonceState
{
    /// <summary>Made by this node (or a node with the same key) and not expired.</summary>
    Valid,

    /// <summary>Genuine but older than the lifetime: challenge again with stale=true (RFC 7616 §3.3).</summary>
    Stale,

    /// <summary>Not one of ours (forged, damaged, or from another deployment).</summary>
    Invalid,
}

/// <summary>
/// Stateless nonces (RFC 7616 §3.3 suggests a timestamp plus a keyed hash): base64url(issue time ‖ HMAC-SHA256(key,
/// issue time)[..16]). Nothing is stored per challenge, so a flood of unauthenticated requests costs no memory.
/// <para>
/// Issue times are whole seconds, so every challenge within one second carries the same nonce and the keyed hash is
/// computed once a second rather than per challenge; credentials carrying the nonce of the current second skip the
/// hash too (it is ours by construction, and comparing a public nonce with it reveals nothing).
/// </para>
/// </summary>
public sealed class NonceService(NonceSecret secret, SipServerOptions options, TimeProvider time)
{
    private const int TimeBytes = 8;
    private const int MacBytes = 16;

    private volatile IssuedNonce? _current;

    /// <summary>A nonce stamped with the current second.</summary>
    public string Create()
    {
        var second = time.GetUtcNow().ToUnixTimeSeconds();
        if (_current is { } current && current.Second == second)
        {
            return current.Nonce;
        }

        var nonce = Create(DateTimeOffset.FromUnixTimeSeconds(second));
        _current = new IssuedNonce(second, nonce);
        return nonce;
    }

    /// <summary>Checks the signature and age of a nonce received in credentials.</summary>
    public NonceState Check(string? nonce)
    {
        Span<byte> raw = stackalloc byte[TimeBytes + MacBytes];
        if (nonce is null || nonce.Length != 32 || !TryDecode(nonce, raw))
        {
            return NonceState.Invalid;
        }

        if (!string.Equals(nonce, _current?.Nonce, StringComparison.Ordinal))
        {
            Span<byte> expected = stackalloc byte[32];
            HMACSHA256.HashData(secret.Key, raw[..TimeBytes], expected);
            if (!CryptographicOperations.FixedTimeEquals(expected[..MacBytes], raw[TimeBytes..]))
            {
                return NonceState.Invalid;
            }
        }

        var issued = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(raw));
        var age = time.GetUtcNow() - issued;
        // A nonce from the future (clock stepped back) is treated as stale rather than trusted for longer.
        return age >= TimeSpan.Zero && age <= options.NonceLifetime ? NonceState.Valid : NonceState.Stale;
    }

    private string Create(DateTimeOffset now)
    {
        Span<byte> raw = stackalloc byte[TimeBytes + MacBytes];
        BinaryPrimitives.WriteInt64BigEndian(raw, now.ToUnixTimeMilliseconds());
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(secret.Key, raw[..TimeBytes], mac);
        mac[..MacBytes].CopyTo(raw[TimeBytes..]);
        return Convert.ToBase64String(raw).Replace('+', '-').Replace('/', '_');
    }

    private static bool TryDecode(string nonce, Span<byte> raw)
    {
        Span<char> standard = stackalloc char[nonce.Length];
        for (var i = 0; i < nonce.Length; i++)
        {
            standard[i] = nonce[i] switch { '-' => '+', '_' => '/', var c => c };
        }

        return Convert.TryFromBase64Chars(standard, raw, out var written) && written == raw.Length;
    }

    private sealed record IssuedNonce(long Second, string Nonce);
}
