using System.Text;
using Parley.Xmpp.Sasl;

namespace Parley.Xmpp.Tests.Sasl;

public class ScramServerTests
{
    /// <summary>RFC 5802 §5: SCRAM-SHA-1, user "user", password "pencil".</summary>
    private static readonly RfcExample Sha1Example = new(
        ScramHash.Sha1,
        "QSXCR+Q6sek8bf92",
        "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
        "3rfcNHYJY1ZVvWVs7j",
        "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
        "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
        "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=");

    /// <summary>RFC 7677 §3: SCRAM-SHA-256, user "user", password "pencil".</summary>
    private static readonly RfcExample Sha256Example = new(
        ScramHash.Sha256,
        "W22ZaJ0SNY7soEsUEjb6gQ==",
        "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
        "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
        "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");

    public static TheoryData<string> Examples => ["sha1", "sha256"];

    [Theory]
    [MemberData(nameof(Examples))]
    public void Rfc_example_exchange_succeeds_with_the_rfc_server_messages(string example)
    {
        var rfc = Pick(example);
        var server = new ScramServer(rfc.Hash, () => rfc.ServerNonce);

        Assert.True(server.ReadClientFirst(Bytes(rfc.ClientFirst), out var username, out _));
        Assert.Equal("user", username);
        Assert.Null(server.AuthorizationIdentity);
        Assert.Equal(rfc.ServerFirst, Encoding.UTF8.GetString(server.CreateServerFirst(rfc.Credential())));
        Assert.True(server.VerifyClientFinal(Bytes(rfc.ClientFinal), out var serverFinal, out _));
        Assert.Equal(rfc.ServerFinal, Encoding.UTF8.GetString(serverFinal));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Wrong_password_fails_with_not_authorized(string example)
    {
        var rfc = Pick(example);
        var server = new ScramServer(rfc.Hash, () => rfc.ServerNonce);
        Assert.True(server.ReadClientFirst(Bytes(rfc.ClientFirst), out _, out _));
        server.CreateServerFirst(ScramCredential.Derive(rfc.Hash, "pencil2", Convert.FromBase64String(rfc.Salt), 4096));

        Assert.False(server.VerifyClientFinal(Bytes(rfc.ClientFinal), out var serverFinal, out var failure));
        Assert.Equal(SaslFailure.NotAuthorized, failure);
        Assert.Empty(serverFinal);
    }

    [Fact]
    public void Random_server_nonce_extends_the_client_nonce()
    {
        var server = new ScramServer(ScramHash.Sha256);
        Assert.True(server.ReadClientFirst("n,,n=user,r=abc"u8, out _, out _));
        var serverFirst = Encoding.UTF8.GetString(server.CreateServerFirst(Sha256Example.Credential()));
        var nonce = serverFirst.Split(',')[0][2..];
        Assert.StartsWith("abc", nonce);
        Assert.True(nonce.Length >= 3 + 24, nonce);
    }

    [Fact]
    public void Escaped_username_and_authzid_are_decoded()
    {
        var server = new ScramServer(ScramHash.Sha1);
        Assert.True(server.ReadClientFirst("y,a=admin=2Cx=3Dy,n=us=3Der=2Cname,r=nonce"u8, out var username, out _));
        Assert.Equal("us=er,name", username);
        Assert.Equal("admin,x=y", server.AuthorizationIdentity);
        Assert.Equal("us=er,name", server.Username);
    }

    [Theory]
    [InlineData("p=tls-unique,,n=user,r=abc")]
    [InlineData("x,,n=user,r=abc")]
    [InlineData("n,,n=,r=abc")]
    [InlineData("n,,n=us=2Xer,r=abc")]
    [InlineData("n,,n=user=,r=abc")]
    [InlineData("n,,n=user")]
    [InlineData("n,,n=user,r=")]
    [InlineData("n,,n=user,r=a\u007Fb")]
    [InlineData("n,,m=ext,n=user,r=abc")]
    [InlineData("n,b=x,n=user,r=abc")]
    [InlineData("n,n=user,r=abc")]
    [InlineData("")]
    [InlineData("n,,n=us\u0001er,r=abc")]
    public void Malformed_client_first_fails_with_malformed_request(string message)
    {
        var server = new ScramServer(ScramHash.Sha256);
        Assert.False(server.ReadClientFirst(Bytes(message), out _, out var failure));
        Assert.Equal(SaslFailure.MalformedRequest, failure);
    }

    [Fact]
    public void Invalid_utf8_fails_with_incorrect_encoding()
    {
        var server = new ScramServer(ScramHash.Sha256);
        Assert.False(server.ReadClientFirst([.. "n,,n=us"u8, 0xC3, 0x28, .. ",r=abc"u8], out _, out var failure));
        Assert.Equal(SaslFailure.IncorrectEncoding, failure);
    }

    [Theory]
    [InlineData("c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j", SaslFailure.MalformedRequest)]
    [InlineData("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=", SaslFailure.MalformedRequest)]
    [InlineData("c=biws,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=", SaslFailure.MalformedRequest)]
    [InlineData("c=bi*s,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=", SaslFailure.IncorrectEncoding)]
    [InlineData("c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts", SaslFailure.IncorrectEncoding)]
    [InlineData("c=eSws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=", SaslFailure.NotAuthorized)]
    [InlineData("c=biws,r=fyko+d2lbbFgONRv9qkxdawL,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=", SaslFailure.NotAuthorized)]
    [InlineData("c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts1234=", SaslFailure.NotAuthorized)]
    [InlineData("c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=AAX8v3Bz2T0CJGbJQyF0X+HI4Ts=", SaslFailure.NotAuthorized)]
    public void Bad_client_final_fails_with_the_matching_failure(string message, SaslFailure expected)
    {
        var rfc = Sha1Example;
        var server = new ScramServer(rfc.Hash, () => rfc.ServerNonce);
        Assert.True(server.ReadClientFirst(Bytes(rfc.ClientFirst), out _, out _));
        server.CreateServerFirst(rfc.Credential());

        Assert.False(server.VerifyClientFinal(Bytes(message), out _, out var failure));
        Assert.Equal(expected, failure);
    }

    [Fact]
    public void Messages_out_of_order_are_a_programming_error()
    {
        var server = new ScramServer(ScramHash.Sha1);
        Assert.Throws<InvalidOperationException>(() => server.CreateServerFirst(Sha1Example.Credential()));
        Assert.Throws<InvalidOperationException>(() => server.VerifyClientFinal("c=biws"u8, out _, out _));
        Assert.True(server.ReadClientFirst("n,,n=user,r=abc"u8, out _, out _));
        Assert.Throws<InvalidOperationException>(() => server.ReadClientFirst("n,,n=user,r=abc"u8, out _, out _));
        Assert.Throws<ArgumentException>(() => server.CreateServerFirst(Sha256Example.Credential()));
    }

    [Fact]
    public void Dummy_credentials_are_deterministic_per_user_and_never_verify()
    {
        var secret = Encoding.UTF8.GetBytes("server secret");
        var a = ScramServer.CreateDummyCredential(ScramHash.Sha256, "ghost", secret);
        var b = ScramServer.CreateDummyCredential(ScramHash.Sha256, "ghost", secret);
        var c = ScramServer.CreateDummyCredential(ScramHash.Sha256, "other", secret);

        Assert.Equal(a.Salt, b.Salt);
        Assert.NotEqual(a.Salt, c.Salt);
        Assert.Equal(32, a.StoredKey.Length);
        Assert.Equal(20, ScramServer.CreateDummyCredential(ScramHash.Sha1, "ghost", secret).StoredKey.Length);

        var server = new ScramServer(ScramHash.Sha256, () => Sha256Example.ServerNonce);
        Assert.True(server.ReadClientFirst(Bytes(Sha256Example.ClientFirst), out _, out _));
        server.CreateServerFirst(a);
        Assert.False(server.VerifyClientFinal(Bytes(Sha256Example.ClientFinal), out _, out var failure));
        Assert.Equal(SaslFailure.NotAuthorized, failure);
    }

    [Fact]
    public void Mechanism_names_match_the_constants()
    {
        Assert.Equal(SaslMechanisms.ScramSha1, ScramServer.MechanismName(ScramHash.Sha1));
        Assert.Equal(SaslMechanisms.ScramSha256, ScramServer.MechanismName(ScramHash.Sha256));
    }

    private static RfcExample Pick(string example) => example == "sha1" ? Sha1Example : Sha256Example;

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private sealed record RfcExample(ScramHash Hash, string Salt, string ClientFirst, string ServerNonce, string ServerFirst, string ClientFinal, string ServerFinal)
    {
        public ScramCredential Credential() => ScramCredential.Derive(Hash, "pencil", Convert.FromBase64String(Salt), 4096);
    }
}
