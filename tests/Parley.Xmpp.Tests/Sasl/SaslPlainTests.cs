using System.Text;
using Parley.Xmpp.Sasl;

namespace Parley.Xmpp.Tests.Sasl;

public class SaslPlainTests
{
    [Fact]
    public void Message_without_authzid_parses()
    {
        Assert.True(SaslPlain.TryParse("\0juliet\0r0m30"u8, out var authzid, out var authcid, out var password));
        Assert.Equal("", authzid);
        Assert.Equal("juliet", authcid);
        Assert.Equal("r0m30", password);
    }

    [Fact]
    public void Message_with_authzid_and_utf8_parses()
    {
        Assert.True(SaslPlain.TryParse(Encoding.UTF8.GetBytes("admin@example.com\0jülïet\0pässwörd ✓"), out var authzid, out var authcid, out var password));
        Assert.Equal("admin@example.com", authzid);
        Assert.Equal("jülïet", authcid);
        Assert.Equal("pässwörd ✓", password);
    }

    [Theory]
    [InlineData("\0\0password")]
    [InlineData("\0juliet\0")]
    [InlineData("juliet\0password")]
    [InlineData("a\0juliet\0pass\0word")]
    [InlineData("")]
    [InlineData("juliet")]
    public void Malformed_messages_are_rejected(string message)
        => Assert.False(SaslPlain.TryParse(Encoding.UTF8.GetBytes(message), out _, out _, out _));

    [Fact]
    public void Invalid_utf8_is_rejected()
        => Assert.False(SaslPlain.TryParse([0, .. "jul"u8, 0xC3, 0x28, 0, .. "pw"u8], out _, out _, out _));

    [Fact]
    public void Messages_over_one_kilobyte_are_rejected()
    {
        var password = new string('p', 1024 - "\0juliet\0".Length);
        Assert.True(SaslPlain.TryParse(Encoding.UTF8.GetBytes("\0juliet\0" + password), out _, out _, out _));
        Assert.False(SaslPlain.TryParse(Encoding.UTF8.GetBytes("\0juliet\0" + password + "p"), out _, out _, out _));
    }
}
