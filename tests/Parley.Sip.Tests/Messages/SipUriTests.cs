using Parley.Sip.Messages;
using Parley.Sip.Parsing;

namespace Parley.Sip.Tests.Messages;

public sealed class SipUriTests
{
    [Fact]
    public void Full_sip_uri_parses_every_part()
    {
        var uri = SipUri.Parse("sips:al%69ce:pa%24s@Example.COM:5061;transport=tcp;lr;maddr=192.0.2.1?subject=hi&priority=urgent");
        Assert.Equal("sips", uri.Scheme);
        Assert.Equal("alice", uri.User);
        Assert.Equal("pa$s", uri.Password);
        Assert.Equal("Example.COM", uri.Host);
        Assert.Equal(5061, uri.Port);
        Assert.Equal("tcp", uri.Transport);
        Assert.True(uri.Parameters.Contains("lr"));
        Assert.Null(uri.Parameters["lr"]);
        Assert.Equal("192.0.2.1", uri.Parameters["maddr"]);
        Assert.Equal("subject=hi&priority=urgent", uri.Headers);
    }

    [Theory]
    [InlineData("sip:[2001:db8::10]", "2001:db8::10", null)]
    [InlineData("sip:alice@[2001:db8::10]:5070;transport=udp", "2001:db8::10", 5070)]
    [InlineData("sip:[::1]:5060", "::1", 5060)]
    public void Ipv6_reference_is_held_without_brackets_and_written_with_them(string text, string host, int? port)
    {
        var uri = SipUri.Parse(text);
        Assert.Equal(host, uri.Host);
        Assert.Equal(port, uri.Port);
        Assert.True(uri.IsIPv6);
        Assert.Equal(text, uri.ToString());
    }

    [Theory]
    [InlineData("sip:")]
    [InlineData("sip:@example.com")]
    [InlineData("sip:alice@")]
    [InlineData("sip:alice@exa mple.com")]
    [InlineData("sip:alice@[2001:db8::1")]
    [InlineData("sip:alice@[192.0.2.1]")]
    [InlineData("sip:alice@2001:db8::1")]
    [InlineData("sip:alice@example.com:99999")]
    [InlineData("sip:alice@example.com:")]
    [InlineData("sip:alice@example.com:5x")]
    [InlineData("sip:al%4ice@example.com")]
    [InlineData("sip:al%cg@example.com")]
    [InlineData("sip:a<b@example.com")]
    [InlineData("sip:alice@example.com;=x")]
    [InlineData("sip:alice@example.com;a=")]
    [InlineData("sip:alice@example.com?")]
    [InlineData("<sip:alice@example.com>")]
    [InlineData("1sip:alice@example.com")]
    [InlineData("tel:")]
    [InlineData("http:a b")]
    [InlineData("")]
    public void Malformed_uri_is_refused(string text)
    {
        Assert.False(SipUri.TryParse(text, out _));
        Assert.Equal(SipRejectionReason.BadRequestUri, Assert.Throws<SipParseException>(() => SipUri.Parse(text)).Reason);
    }

    [Fact]
    public void Other_schemes_are_kept_opaque_and_lower_cased()
    {
        var uri = SipUri.Parse("TEL:+1-201-555-0123;phone-context=example.com");
        Assert.Equal("tel", uri.Scheme);
        Assert.False(uri.IsSip);
        Assert.Equal("+1-201-555-0123;phone-context=example.com", uri.Opaque);
        // A parsed URI writes back exactly as received (a proxy must not rewrite what it forwards).
        Assert.Equal("TEL:+1-201-555-0123;phone-context=example.com", uri.ToString());
    }

    [Fact]
    public void Parsed_uri_text_is_reused_until_the_uri_changes()
    {
        var uri = SipUri.Parse("SIP:Alice@Example.com;LR");
        Assert.Equal("SIP:Alice@Example.com;LR", uri.ToString());
        Assert.Same(uri.ToString(), uri.ToString());
        uri.Parameters.Set("transport", "tcp");
        Assert.Equal("sip:Alice@Example.com;LR;transport=tcp", uri.ToString());
        uri.User = "bob";
        Assert.Equal("sip:bob@Example.com;LR;transport=tcp", uri.ToString());
        uri.Parameters.Remove("lr");
        Assert.Equal("sip:bob@Example.com;transport=tcp", uri.ToString());
    }

    [Theory]
    [InlineData("a b", "sip:a%20b@example.com")]
    [InlineData("a@b", "sip:a%40b@example.com")]
    [InlineData("a:b", "sip:a%3Ab@example.com")]
    [InlineData("+1;isub=2?x/y", "sip:+1;isub=2?x/y@example.com")]
    [InlineData("j\u00fcrgen", "sip:j%C3%BCrgen@example.com")]
    [InlineData("%", "sip:%25@example.com")]
    public void User_is_escaped_when_written_and_unescaped_when_read(string user, string text)
    {
        var uri = new SipUri("sip", user, "example.com");
        Assert.Equal(text, uri.ToString());
        Assert.Equal(user, SipUri.Parse(text).User);
    }

    [Fact]
    public void Password_is_escaped_with_its_own_character_set()
    {
        var uri = new SipUri("sip", "u", "example.com") { Password = "p;w?d" };
        Assert.Equal("sip:u:p%3Bw%3Fd@example.com", uri.ToString());
        Assert.Equal("p;w?d", SipUri.Parse(uri.ToString()).Password);
    }

    [Theory]
    [InlineData("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp")]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5")]
    [InlineData("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;newparam=5")]
    [InlineData("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com", "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com")]
    [InlineData("sip:alice@atlanta.com?subject=project%20x&priority=urgent", "sip:alice@atlanta.com?priority=urgent&subject=project%20x")]
    public void Rfc3261_equivalent_uris_are_equal(string a, string b)
    {
        Assert.Equal(SipUri.Parse(a), SipUri.Parse(b));
        Assert.Equal(SipUri.Parse(a).GetHashCode(), SipUri.Parse(b).GetHashCode());
    }

    [Theory]
    [InlineData("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp")]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting")]
    [InlineData("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4")]
    [InlineData("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off")]
    [InlineData("sip:a@example.com", "sips:a@example.com")]
    public void Rfc3261_different_uris_are_not_equal(string a, string b)
    {
        Assert.NotEqual(SipUri.Parse(a), SipUri.Parse(b));
    }

    [Fact]
    public void Constructor_validates_port()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipUri("sip", null, "example.com", 70000));
    }

    [Fact]
    public void Clone_is_independent()
    {
        var uri = SipUri.Parse("sip:a@example.com;lr");
        var copy = uri.Clone();
        copy.Parameters.Set("transport", "tcp");
        Assert.Null(uri.Transport);
        Assert.Equal("tcp", copy.Transport);
    }
}
