using System.Security.Cryptography;
using System.Text;
using Parley.Sip.Authentication;

namespace Parley.Sip.Tests.Authentication;

/// <summary>Digest header codecs and computations, checked against the RFC 7616 and RFC 2617 examples.</summary>
public sealed class DigestTests
{
    // RFC 7616 §3.9.1 (Mufasa / "Circle of Life").
    private const string Realm7616 = "http-auth@example.org";
    private const string Nonce7616 = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    private const string Cnonce7616 = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    private const string Opaque7616 = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";

    [Theory]
    [InlineData(DigestAlgorithm.Md5, "8ca523f5e9506fed4657c9700eebdbec")]
    [InlineData(DigestAlgorithm.Sha256, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")]
    public void Rfc7616_example_response_is_reproduced(DigestAlgorithm algorithm, string expected)
    {
        var ha1 = DigestCalculator.HA1(algorithm, "Mufasa", Realm7616, "Circle of Life");
        var ha2 = DigestCalculator.HA2(algorithm, "GET", "/dir/index.html");
        Assert.Equal(expected, DigestCalculator.Response(algorithm, ha1, Nonce7616, "00000001", Cnonce7616, "auth", ha2));
    }

    [Theory]
    [InlineData(DigestAlgorithm.Md5, "8ca523f5e9506fed4657c9700eebdbec")]
    [InlineData(DigestAlgorithm.Sha256, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")]
    public void Rfc7616_example_authorization_header_parses_and_verifies(DigestAlgorithm algorithm, string response)
    {
        var header = $"Digest username=\"Mufasa\", realm=\"{Realm7616}\", uri=\"/dir/index.html\", algorithm={algorithm.ToToken()}, " +
            $"nonce=\"{Nonce7616}\", nc=00000001, cnonce=\"{Cnonce7616}\", qop=auth, response=\"{response}\", opaque=\"{Opaque7616}\"";
        Assert.True(DigestCredentials.TryParse(header, out var credentials));
        Assert.Equal("Mufasa", credentials.Username);
        Assert.Equal(algorithm, credentials.Algorithm);
        Assert.Equal(1u, credentials.NonceCountValue);
        Assert.Equal(Opaque7616, credentials.Opaque);
        var ha1 = DigestCalculator.HA1(algorithm, "Mufasa", Realm7616, "Circle of Life");
        Assert.True(DigestCalculator.Verify(credentials, "GET", ha1));
        Assert.False(DigestCalculator.Verify(credentials, "POST", ha1));
        Assert.False(DigestCalculator.Verify(credentials, "GET", DigestCalculator.HA1(algorithm, "Mufasa", Realm7616, "circle of life")));
    }

    [Fact]
    public void Rfc7616_example_challenge_parses()
    {
        var header = $"Digest realm=\"{Realm7616}\", qop=\"auth, auth-int\", algorithm=SHA-256, nonce=\"{Nonce7616}\", opaque=\"{Opaque7616}\"";
        Assert.True(DigestChallenge.TryParse(header, out var challenge));
        Assert.Equal(Realm7616, challenge.Realm);
        Assert.Equal(Nonce7616, challenge.Nonce);
        Assert.Equal(Opaque7616, challenge.Opaque);
        Assert.Equal(DigestAlgorithm.Sha256, challenge.Algorithm);
        Assert.Equal(["auth", "auth-int"], challenge.Qop);
        Assert.False(challenge.Stale);
    }

    [Fact]
    public void Rfc2617_example_response_is_reproduced()
    {
        // RFC 2617 §3.5.
        var ha1 = DigestCalculator.HA1(DigestAlgorithm.Md5, "Mufasa", "testrealm@host.com", "Circle Of Life");
        var ha2 = DigestCalculator.HA2(DigestAlgorithm.Md5, "GET", "/dir/index.html");
        Assert.Equal("6629fae49393a05397450978507c4ef1",
            DigestCalculator.Response(DigestAlgorithm.Md5, ha1, "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001", "0a4f113b", "auth", ha2));
    }

    [Fact]
    public void Response_without_qop_uses_the_rfc2069_form()
    {
        var ha1 = DigestCalculator.HA1(DigestAlgorithm.Md5, "alice", "example.com", "secret");
        var ha2 = DigestCalculator.HA2(DigestAlgorithm.Md5, "REGISTER", "sip:example.com");
        var expected = Md5Hex($"{Md5Hex("alice:example.com:secret")}:abc:{Md5Hex("REGISTER:sip:example.com")}");
        Assert.Equal(expected, DigestCalculator.Response(DigestAlgorithm.Md5, ha1, "abc", null, null, null, ha2));

        Assert.True(DigestCredentials.TryParse($"Digest username=\"alice\", realm=\"example.com\", nonce=\"abc\", uri=\"sip:example.com\", response=\"{expected}\"", out var credentials));
        Assert.Null(credentials.Qop);
        Assert.True(DigestCalculator.Verify(credentials, "REGISTER", ha1));
    }

    [Fact]
    public void Session_algorithm_hashes_nonce_and_cnonce_into_ha1()
    {
        var ha1 = DigestCalculator.HA1(DigestAlgorithm.Md5, "alice", "example.com", "secret");
        var session = DigestCalculator.SessionHA1(DigestAlgorithm.Md5Sess, ha1, "n", "c");
        Assert.Equal(Md5Hex($"{ha1}:n:c"), session);
        var ha2 = DigestCalculator.HA2(DigestAlgorithm.Md5Sess, "INVITE", "sip:bob@example.com");
        var response = DigestCalculator.Response(DigestAlgorithm.Md5Sess, session, "n", "00000002", "c", "auth", ha2);
        var credentials = new DigestCredentials
        {
            Username = "alice",
            Realm = "example.com",
            Nonce = "n",
            Uri = "sip:bob@example.com",
            Response = response,
            Algorithm = DigestAlgorithm.Md5Sess,
            Cnonce = "c",
            Qop = "auth",
            NonceCount = "00000002",
        };
        Assert.True(DigestCalculator.Verify(credentials, "INVITE", ha1));
    }

    [Fact]
    public void Auth_int_hashes_the_body_into_ha2()
    {
        var body = "hello"u8.ToArray();
        Assert.Equal(Md5Hex($"MESSAGE:sip:b@example.com:{Md5Hex("hello")}"), DigestCalculator.HA2(DigestAlgorithm.Md5, "MESSAGE", "sip:b@example.com", "auth-int", body));
    }

    [Fact]
    public void Userhash_is_the_hash_of_username_and_realm()
    {
        // RFC 7616 §3.9.2 uses SHA-512/256; the definition H(username:realm) is the same for SHA-256.
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("J\u00e4s\u00f8n Doe:api@example.org"))),
            DigestCalculator.UserHash(DigestAlgorithm.Sha256, "J\u00e4s\u00f8n Doe", "api@example.org"));
    }

    [Fact]
    public void Extended_username_star_is_decoded_from_utf8_percent_encoding()
    {
        var header = "Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, realm=\"api@example.org\", uri=\"/doe.json\", nonce=\"n\", response=\"r\"";
        Assert.True(DigestCredentials.TryParse(header, out var credentials));
        Assert.Equal("J\u00e4s\u00f8n Doe", credentials.Username);
    }

    [Fact]
    public void Quoted_username_with_escapes_is_unescaped_and_reformatted()
    {
        var header = "Digest username=\"a\\\"b\\\\c\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"00\"";
        Assert.True(DigestCredentials.TryParse(header, out var credentials));
        Assert.Equal("a\"b\\c", credentials.Username);
        Assert.True(DigestCredentials.TryParse(credentials.ToString(), out var again));
        Assert.Equal(credentials.Username, again.Username);
    }

    [Fact]
    public void Formatted_challenge_parses_back()
    {
        var challenge = new DigestChallenge("example.com", "abc/def=")
        {
            Opaque = "o",
            Algorithm = DigestAlgorithm.Sha256Sess,
            Qop = ["auth"],
            Stale = true,
            UserHash = true,
            Charset = "UTF-8",
        };
        Assert.True(DigestChallenge.TryParse(challenge.ToString(), out var parsed));
        Assert.Equal(("example.com", "abc/def=", "o", DigestAlgorithm.Sha256Sess, true, true, "UTF-8"),
            (parsed.Realm, parsed.Nonce, parsed.Opaque, parsed.Algorithm, parsed.Stale, parsed.UserHash, parsed.Charset));
        Assert.Equal(["auth"], parsed.Qop);
    }

    [Theory]
    [InlineData("Basic realm=\"x\"")]
    [InlineData("Digest nonce=\"n\"")]
    [InlineData("Digest realm=\"r\"")]
    [InlineData("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256")]
    [InlineData("Digest realm=\"r, nonce=\"n\"")]
    [InlineData("Digest realm=\"r\" nonce=\"n\"")]
    [InlineData("Digest realm=\"r\", realm=\"s\", nonce=\"n\"")]
    [InlineData("Digest realm=, nonce=\"n\"")]
    [InlineData("")]
    public void Malformed_or_foreign_challenge_is_refused(string header)
    {
        Assert.False(DigestChallenge.TryParse(header, out _));
    }

    [Theory]
    [InlineData("Digest realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\"")]
    [InlineData("Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\", qop=auth")]
    [InlineData("Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\", qop=auth, cnonce=\"c\", nc=1")]
    [InlineData("Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\", qop=auth, cnonce=\"c\", nc=0000000g")]
    [InlineData("Digest username=\"a\", username*=UTF-8''a, realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\"")]
    [InlineData("NoOneKnowsThisScheme opaque-data=here")]
    public void Malformed_or_foreign_credentials_are_refused(string header)
    {
        Assert.False(DigestCredentials.TryParse(header, out _));
    }

    [Fact]
    public void Fixed_time_comparison_ignores_hex_case_but_not_content_or_length()
    {
        Assert.True(DigestCalculator.FixedTimeEquals("abcdef", "ABCDEF"));
        Assert.False(DigestCalculator.FixedTimeEquals("abcdef", "abcdee"));
        Assert.False(DigestCalculator.FixedTimeEquals("abcdef", "abcdef0"));
    }

    private static string Md5Hex(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
}
