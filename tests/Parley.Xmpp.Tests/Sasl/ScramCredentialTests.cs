using Parley.Xmpp.Sasl;

namespace Parley.Xmpp.Tests.Sasl;

public class ScramCredentialTests
{
    [Theory]
    [InlineData(ScramHash.Sha1, "QSXCR+Q6sek8bf92", "6dlGYMOdZcOPutkcNY8U2g7vK9Y=", "D+CSWLOshSulAsxiupA+qs2/fTE=")]
    [InlineData(ScramHash.Sha256, "W22ZaJ0SNY7soEsUEjb6gQ==", "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=", "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=")]
    public void Derive_gives_the_keys_of_the_rfc_examples(ScramHash hash, string salt, string storedKey, string serverKey)
    {
        // RFC 5802 §5 and RFC 7677 §3 ("pencil", 4096 iterations); the keys were computed independently with Python's hashlib.
        var credential = ScramCredential.Derive(hash, "pencil", Convert.FromBase64String(salt), 4096);
        Assert.Equal(storedKey, Convert.ToBase64String(credential.StoredKey));
        Assert.Equal(serverKey, Convert.ToBase64String(credential.ServerKey));
    }

    [Theory]
    [InlineData(ScramHash.Sha1)]
    [InlineData(ScramHash.Sha256)]
    public void VerifyPassword_accepts_only_the_password(ScramHash hash)
    {
        var credential = ScramCredential.Derive(hash, "correct horse", [1, 2, 3, 4, 5, 6, 7, 8], 64);
        Assert.True(credential.VerifyPassword("correct horse"));
        Assert.False(credential.VerifyPassword("correct horse "));
        Assert.False(credential.VerifyPassword("Correct horse"));
        Assert.False(credential.VerifyPassword(""));
    }

    [Fact]
    public void Saslprep_maps_non_ascii_spaces_and_removes_mapped_to_nothing_characters()
    {
        var credential = ScramCredential.Derive(ScramHash.Sha256, "I X", [9, 9, 9, 9], 16);
        Assert.True(credential.VerifyPassword("I\u00A0X"));
        Assert.True(credential.VerifyPassword("I \u00ADX"));
    }

    [Fact]
    public void Derive_rejects_zero_iterations()
        => Assert.Throws<ArgumentOutOfRangeException>(() => ScramCredential.Derive(ScramHash.Sha1, "p", [1], 0));
}
