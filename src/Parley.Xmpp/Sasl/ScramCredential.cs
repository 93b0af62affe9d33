using System.Security.Cryptography;
using System.Text;

namespace Parley.Xmpp.Sasl;

public enum ScramHash
{
    Sha1,
    Sha256,
}

/// <summary>What a server stores for SCRAM (RFC 5802 §3): never the password itself.</summary>
public sealed record ScramCredential(ScramHash Hash, byte[] Salt, int Iterations, byte[] StoredKey, byte[] ServerKey)
{
    /// <summary>Derives the credential from a password (SASLprep'd per RFC 4013 as far as implemented).</summary>
    public static ScramCredential Derive(ScramHash hash, string password, byte[] salt, int iterations)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(salt);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        var salted = SaltedPassword(hash, password, salt, iterations);
        try
        {
            var clientKey = ScramAlgorithms.Hmac(hash, salted, "Client Key"u8);
            return new ScramCredential(hash, salt, iterations, ScramAlgorithms.Hash(hash, clientKey), ScramAlgorithms.Hmac(hash, salted, "Server Key"u8));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(salted);
        }
    }

    /// <summary>For PLAIN: recomputes StoredKey from the password and compares in constant time.</summary>
    public bool VerifyPassword(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var salted = SaltedPassword(Hash, password, Salt, Iterations);
        try
        {
            var storedKey = ScramAlgorithms.Hash(Hash, ScramAlgorithms.Hmac(Hash, salted, "Client Key"u8));
            return CryptographicOperations.FixedTimeEquals(storedKey, StoredKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(salted);
        }
    }

    private static byte[] SaltedPassword(ScramHash hash, string password, byte[] salt, int iterations)
    {
        // A password SASLprep prohibits can never have been stored; its raw bytes still give a (non-matching) key.
        var prepared = SaslPrep.Prepare(password) ?? password;
        var bytes = Encoding.UTF8.GetBytes(prepared);
        try
        {
            return Rfc2898DeriveBytes.Pbkdf2(bytes, salt, iterations, ScramAlgorithms.Name(hash), ScramAlgorithms.Length(hash));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }
}

/// <summary>The H() and HMAC() of RFC 5802 §2.2 for each supported hash.</summary>
internal static class ScramAlgorithms
{
    public static HashAlgorithmName Name(ScramHash hash) => hash switch
    {
        ScramHash.Sha1 => HashAlgorithmName.SHA1,
        ScramHash.Sha256 => HashAlgorithmName.SHA256,
        _ => throw new ArgumentOutOfRangeException(nameof(hash), hash, "unsupported SCRAM hash"),
    };

    public static int Length(ScramHash hash) => hash switch
    {
        ScramHash.Sha1 => SHA1.HashSizeInBytes,
        ScramHash.Sha256 => SHA256.HashSizeInBytes,
        _ => throw new ArgumentOutOfRangeException(nameof(hash), hash, "unsupported SCRAM hash"),
    };

    public static byte[] Hash(ScramHash hash, ReadOnlySpan<byte> data) => hash switch
    {
        ScramHash.Sha1 => SHA1.HashData(data),
        ScramHash.Sha256 => SHA256.HashData(data),
        _ => throw new ArgumentOutOfRangeException(nameof(hash), hash, "unsupported SCRAM hash"),
    };

    public static byte[] Hmac(ScramHash hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data) => hash switch
    {
        ScramHash.Sha1 => HMACSHA1.HashData(key, data),
        ScramHash.Sha256 => HMACSHA256.HashData(key, data),
        _ => throw new ArgumentOutOfRangeException(nameof(hash), hash, "unsupported SCRAM hash"),
    };
}
