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
    public static ScramCredential Derive(ScramHash hash, string password, byte[] salt, int iterations) => throw new NotImplementedException();

    /// <summary>For PLAIN: recomputes StoredKey from the password and compares in constant time.</summary>
    public bool VerifyPassword(string password) => throw new NotImplementedException();
}
