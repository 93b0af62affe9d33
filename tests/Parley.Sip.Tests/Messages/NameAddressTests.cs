using Parley.Sip.Messages;

namespace Parley.Sip.Tests.Messages;

public sealed class NameAddressTests
{
    [Fact]
    public void Quoted_display_name_with_escapes_is_unquoted()
    {
        Assert.True(NameAddress.TryParse("\"Alice \\\"Al\\\" O\\\\Neil\" <sip:alice@example.com>;tag=12", out var value));
        Assert.Equal("Alice \"Al\" O\\Neil", value.DisplayName);
        Assert.Equal("alice", value.Uri.User);
        Assert.Equal("12", value.Tag);
    }

    [Fact]
    public void Unquoted_token_display_name_collapses_whitespace()
    {
        Assert.True(NameAddress.TryParse("  Alice   Liddell\t<sip:alice@example.com>  ", out var value));
        Assert.Equal("Alice Liddell", value.DisplayName);
    }

    [Fact]
    public void Parameters_inside_brackets_belong_to_the_uri_and_outside_to_the_header()
    {
        Assert.True(NameAddress.TryParse("<sip:alice@example.com;transport=tcp>;expires=60;q=0.5", out var value));
        Assert.Equal("tcp", value.Uri.Transport);
        Assert.False(value.Uri.Parameters.Contains("expires"));
        Assert.Equal("60", value.Parameters["expires"]);
        Assert.Equal("0.5", value.Parameters["q"]);
    }

    [Fact]
    public void Addr_spec_parameters_belong_to_the_header()
    {
        Assert.True(NameAddress.TryParse("sip:alice@example.com;tag=abc", out var value));
        Assert.Equal("abc", value.Tag);
        Assert.Empty(value.Uri.Parameters);
        Assert.Null(value.DisplayName);
    }

    [Fact]
    public void Quoted_parameter_values_and_ipv6_uris_are_kept()
    {
        Assert.True(NameAddress.TryParse("<sip:[2001:db8::1]:5060>;+sip.instance=\"<urn:uuid:1>\"", out var value));
        Assert.Equal("2001:db8::1", value.Uri.Host);
        Assert.Equal("\"<urn:uuid:1>\"", value.Parameters["+sip.instance"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\"unterminated <sip:a@example.com>")]
    [InlineData("\"name\" sip:a@example.com")]
    [InlineData("<sip:a@example.com")]
    [InlineData("Bell, Alexander <sip:a@example.com>")]
    [InlineData("< sip:a@example.com >")]
    [InlineData("sip:a@example.com?Route=x")]
    [InlineData("<sip:a@example.com>;=1")]
    [InlineData("<sip:a@example.com> junk")]
    [InlineData("*")]
    public void Malformed_name_addr_is_refused(string text)
    {
        Assert.False(NameAddress.TryParse(text, out _), text);
    }

    [Fact]
    public void ToString_always_uses_brackets_and_quotes_the_display_name()
    {
        var value = new NameAddress(SipUri.Parse("sip:bob@example.com"), "Bob \"B\"") { Tag = "x1" };
        Assert.Equal("\"Bob \\\"B\\\"\" <sip:bob@example.com>;tag=x1", value.ToString());
        Assert.True(NameAddress.TryParse(value.ToString(), out var again));
        Assert.Equal(value.DisplayName, again.DisplayName);
    }

    [Fact]
    public void Setting_tag_to_null_removes_it()
    {
        Assert.True(NameAddress.TryParse("<sip:a@example.com>;tag=1;x=2", out var value));
        value.Tag = null;
        Assert.Equal("<sip:a@example.com>;x=2", value.ToString());
    }
}
