using Parley.Server.Sip.Core;
using Parley.Sip.Messages;

namespace Parley.Server.Tests.Sip.Core;

/// <summary>RFC 7247 §4 address mapping.</summary>
public sealed class SipAddressMappingTests
{
    [Theory]
    [InlineData("sip:alice@Example.COM", "alice@example.com")]
    [InlineData("sips:bob@example.com;transport=tls", "bob@example.com")]
    [InlineData("sip:r%65n@example.com", "ren@example.com")]
    public void Sip_uris_with_a_user_map_to_bare_jids(string uri, string? expected)
    {
        Assert.True(SipAddressMapping.TryToJid(SipUri.Parse(uri), out var jid));
        Assert.Equal(expected, jid.ToString());
    }

    [Theory]
    [InlineData("sip:example.com")]
    [InlineData("tel:+15551234")]
    [InlineData("sip:j%40ne@example.com")]
    public void Uris_without_a_user_not_sip_or_not_a_valid_jid_do_not_map(string uri)
        => Assert.False(SipAddressMapping.TryToJid(SipUri.Parse(uri), out _));

    [Fact]
    public void A_jid_maps_to_a_sip_uri_without_its_resource()
        => Assert.Equal("sip:alice@example.com", SipAddressMapping.ToSipUri(Parley.Xmpp.Addressing.Jid.Parse("alice@example.com/sip")).ToString());
}
