using Parley.Xmpp.Addressing;

namespace Parley.Xmpp.Tests.Addressing;

public class JidTests
{
    [Theory]
    [InlineData("juliet@example.com", "juliet", "example.com", null)]
    [InlineData("juliet@example.com/foo", "juliet", "example.com", "foo")]
    [InlineData("juliet@example.com/foo bar", "juliet", "example.com", "foo bar")]
    [InlineData("juliet@example.com/foo@bar", "juliet", "example.com", "foo@bar")]
    [InlineData("juliet@example.com/foo/bar", "juliet", "example.com", "foo/bar")]
    [InlineData("foo\\20bar@example.com", "foo\\20bar", "example.com", null)]
    [InlineData("example.com", null, "example.com", null)]
    [InlineData("example.com/foobar", null, "example.com", "foobar")]
    [InlineData("a.example.com/b@example.net", null, "a.example.com", "b@example.net")]
    [InlineData("fußball@example.com", "fußball", "example.com", null)]
    [InlineData("π@example.com", "π", "example.com", null)]
    [InlineData("juliet@[::1]", "juliet", "[::1]", null)]
    [InlineData("juliet@192.168.0.1/r", "juliet", "192.168.0.1", "r")]
    [InlineData("juliet@münchen.de", "juliet", "münchen.de", null)]
    [InlineData("localhost", null, "localhost", null)]
    [InlineData("x@_srv.example", "x", "_srv.example", null)]
    public void Valid_jids_parse_into_their_parts(string text, string? local, string domain, string? resource)
    {
        var jid = Jid.Parse(text);
        Assert.Equal(local, jid.Local);
        Assert.Equal(domain, jid.Domain);
        Assert.Equal(resource, jid.Resource);
        Assert.Equal(text, jid.ToString());
    }

    [Theory]
    [InlineData("Juliet@Example.COM/Balcony", "juliet@example.com/Balcony")]
    [InlineData("JULIET@EXAMPLE.COM.", "juliet@example.com")]
    [InlineData("example.com./r", "example.com/r")]
    [InlineData("ÉLAN@Exämple.com", "élan@exämple.com")]
    [InlineData("a@example\u3002com", "a@example.com")]
    [InlineData("a@[::FFFF:1]", "a@[::ffff:1]")]
    public void Parts_are_normalised(string text, string normalised)
    {
        Assert.Equal(normalised, Jid.Parse(text).ToString());
        Assert.Equal(Jid.Parse(normalised), Jid.Parse(text));
    }

    [Theory]
    [InlineData("", "JID is empty")]
    [InlineData("@example.com", "localpart is empty")]
    [InlineData("juliet@", "domainpart is empty")]
    [InlineData("juliet@example.com/", "resourcepart is empty")]
    [InlineData("example.com/", "resourcepart is empty")]
    [InlineData("/resource", "domainpart is empty")]
    [InlineData("\"juliet\"@example.com", "localpart contains a forbidden character")]
    [InlineData("jul&iet@example.com", "localpart contains a forbidden character")]
    [InlineData("jul'iet@example.com", "localpart contains a forbidden character")]
    [InlineData("jul:iet@example.com", "localpart contains a forbidden character")]
    [InlineData("jul<iet@example.com", "localpart contains a forbidden character")]
    [InlineData("jul>iet@example.com", "localpart contains a forbidden character")]
    [InlineData("jul iet@example.com", "localpart contains a forbidden character")]
    [InlineData("jul\u0007iet@example.com", "localpart contains a forbidden character")]
    [InlineData("a@b@example.com", "domainpart contains a forbidden character")]
    [InlineData("juliet@exa mple.com", "domainpart contains a forbidden character")]
    [InlineData("juliet@example..com", "domainpart has an empty label")]
    [InlineData("juliet@.example.com", "domainpart has an empty label")]
    [InlineData("juliet@example.com..", "domainpart has an empty label")]
    [InlineData("juliet@-example.com", "domainpart has a label starting or ending with '-'")]
    [InlineData("juliet@[::1", "domainpart is not a valid IPv6 literal")]
    [InlineData("juliet@[1.2.3.4]", "domainpart is not a valid IPv6 literal")]
    [InlineData("juliet@example.com/\u0001", "resourcepart contains a control character")]
    public void Invalid_jids_are_rejected_with_the_part_and_reason(string text, string error)
    {
        Assert.False(Jid.TryParse(text, out var jid, out var message));
        Assert.Null(jid);
        Assert.StartsWith(error, message);
        var exception = Assert.Throws<FormatException>(() => Jid.Parse(text));
        Assert.StartsWith(error, exception.Message);
    }

    [Fact]
    public void Unpaired_surrogates_are_rejected()
    {
        // Built at run time: attribute arguments cannot carry a lone surrogate.
        var lone = new string('\ud800', 1);
        Assert.False(Jid.TryParse(lone + "@example.com", out _, out var error));
        Assert.Equal("localpart contains an unpaired surrogate", error);
        Assert.False(Jid.TryParse("a@example.com/" + lone, out _, out error));
        Assert.Equal("resourcepart contains an unpaired surrogate", error);
        Assert.False(Jid.TryParse("a@ex" + lone + ".com", out _, out error));
        Assert.Equal("domainpart contains an unpaired surrogate", error);
    }

    [Fact]
    public void Parts_longer_than_1023_bytes_are_rejected()
    {
        Assert.True(Jid.TryParse(new string('a', 1023) + "@example.com", out _));
        Assert.False(Jid.TryParse(new string('a', 1024) + "@example.com", out _, out var error));
        Assert.Equal("localpart is longer than 1023 bytes", error);
        Assert.False(Jid.TryParse("a@example.com/" + new string('é', 512), out _, out error));
        Assert.Equal("resourcepart is longer than 1023 bytes", error);
        Assert.False(Jid.TryParse("a@" + new string('a', 63) + "." + new string('b', 64), out _, out error));
        Assert.Equal("domainpart has a label longer than 63 characters", error);
        Assert.False(Jid.TryParse(new string('a', 5000), out _, out error));
        Assert.Equal("JID is too long", error);
    }

    [Fact]
    public void Equality_and_hash_use_normalised_parts()
    {
        var a = Jid.Parse("Romeo@Example.net/Orchard");
        var b = Jid.Parse("romeo@example.net/Orchard");
        var c = Jid.Parse("romeo@example.net/orchard");

        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, c);
        Assert.True(a != c);
        Assert.NotEqual(Jid.Parse("example.net/x"), Jid.Parse("x@example.net"));
        Assert.False(a.Equals(null));
        Assert.False(a == null);
    }

    [Fact]
    public void Bare_and_ToString_are_cached()
    {
        var full = Jid.Parse("romeo@example.net/orchard");
        Assert.Same(full.Bare, full.Bare);
        Assert.Same(full.ToString(), full.ToString());
        Assert.True(full.Bare.IsBare);
        Assert.False(full.IsBare);
        Assert.Equal("romeo@example.net", full.Bare.ToString());
        Assert.Same(full.Bare, full.Bare.Bare);
    }

    [Fact]
    public void WithResource_validates_and_keeps_the_bare_part()
    {
        var bare = Jid.Parse("romeo@example.net");
        Assert.Equal(Jid.Parse("romeo@example.net/phone"), bare.WithResource("phone"));
        Assert.Throws<ArgumentException>(() => bare.WithResource(""));
    }

    [Fact]
    public void TryCreate_reports_which_part_is_wrong()
    {
        Assert.True(Jid.TryCreate("Juliet", "Example.com", "r", out var jid, out var error));
        Assert.Equal("juliet@example.com/r", jid!.ToString());
        Assert.Null(error);

        Assert.False(Jid.TryCreate("a/b", "example.com", null, out jid, out error));
        Assert.Null(jid);
        Assert.StartsWith("localpart", error);
        Assert.False(Jid.TryCreate("a", "", null, out _, out error));
        Assert.Equal("domainpart is empty", error);
    }

    [Fact]
    public void Composed_and_decomposed_forms_are_the_same_address()
    {
        // RFC 7622 §3.3.2, §3.4.2: NFC, so "e" + COMBINING ACUTE ACCENT equals "é" in every part.
        var decomposed = Jid.Parse("re\u0301ne@cafe\u0301.example/te\u0301le\u0301phone");
        var composed = Jid.Parse("r\u00e9ne@caf\u00e9.example/t\u00e9l\u00e9phone");

        Assert.Equal(composed, decomposed);
        Assert.Equal("r\u00e9ne@caf\u00e9.example/t\u00e9l\u00e9phone", decomposed.ToString());
    }
}
