namespace Parley.Xmpp.Sasl;

/// <summary>
/// The server side of one SCRAM exchange (RFC 5802, RFC 7677), without channel binding ("n,," or "y,,").
/// Order: <see cref="ReadClientFirst"/>, look the user up, <see cref="CreateServerFirst"/>, <see cref="VerifyClientFinal"/>.
/// </summary>
public sealed class ScramServer(ScramHash hash)
{
    public ScramHash Hash { get; } = hash;

    public static string MechanismName(ScramHash hash) => hash == ScramHash.Sha1 ? "SCRAM-SHA-1" : "SCRAM-SHA-256";

    /// <summary>Parses client-first-message; returns the (SASLprep'd, =2C/=3D-decoded) username or a failure.</summary>
    public bool ReadClientFirst(ReadOnlySpan<byte> message, out string username, out SaslFailure failure) => throw new NotImplementedException();

    /// <summary>server-first-message. For an unknown user pass a dummy credential so the exchange does not reveal that.</summary>
    public byte[] CreateServerFirst(ScramCredential credential) => throw new NotImplementedException();

    /// <summary>Verifies client-final-message; on success returns server-final-message ("v=...").</summary>
    public bool VerifyClientFinal(ReadOnlySpan<byte> message, out byte[] serverFinal, out SaslFailure failure) => throw new NotImplementedException();
}
