using Parley.Sip.Messages;

namespace Parley.Sip.Tests.Messages;

public sealed class ViaHeaderTests
{
    [Fact]
    public void Via_with_rport_flag_branch_and_port_parses()
    {
        Assert.True(ViaHeader.TryParse("SIP/2.0/udp 192.0.2.1:5062;branch=z9hG4bK776;rport", out var via));
        Assert.Equal("UDP", via.Transport);
        Assert.Equal("192.0.2.1", via.Host);
        Assert.Equal(5062, via.Port);
        Assert.Equal("z9hG4bK776", via.Branch);
        Assert.True(via.HasMagicCookie);
        Assert.True(via.HasRPort);
        Assert.Null(via.RPort);
        Assert.Null(via.Received);
    }

    [Fact]
    public void Via_with_rport_value_and_received_parses()
    {
        Assert.True(ViaHeader.TryParse("SIP/2.0/TCP client.example.com;received=198.51.100.7;rport=40123;branch=z9hG4bKx", out var via));
        Assert.Equal("198.51.100.7", via.Received);
        Assert.Equal(40123, via.RPort);
        Assert.Null(via.Port);
    }

    [Fact]
    public void Ipv6_sent_by_and_received_parse()
    {
        Assert.True(ViaHeader.TryParse("SIP/2.0/TLS [2001:db8::9:1]:5061;received=[2001:db8::9:255];branch=z9hG4bKas3", out var via));
        Assert.Equal("2001:db8::9:1", via.Host);
        Assert.Equal(5061, via.Port);
        Assert.Equal("[2001:db8::9:255]", via.Received);
        Assert.Equal("SIP/2.0/TLS [2001:db8::9:1]:5061;received=[2001:db8::9:255];branch=z9hG4bKas3", via.ToString());
    }

    [Fact]
    public void Whitespace_around_separators_is_tolerated()
    {
        Assert.True(ViaHeader.TryParse("SIP / 2.0 / UDP   host.example.com : 5060 ; branch = z9hG4bK1", out var via));
        Assert.Equal(("UDP", "host.example.com", (int?)5060, "z9hG4bK1"), (via.Transport, via.Host, via.Port, via.Branch));
    }

    [Fact]
    public void Setting_received_and_rport_writes_them()
    {
        var via = new ViaHeader("udp", "10.0.0.1", 5060, "z9hG4bKa");
        via.Parameters.Set("rport", null);
        via.Received = "203.0.113.9";
        via.RPort = 34567;
        Assert.Equal("SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa;rport=34567;received=203.0.113.9", via.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("SIP/2.0 host")]
    [InlineData("SIP/2.0/UDP")]
    [InlineData("SIP/2.0/UDPhost")]
    [InlineData("SIP/2.0/UDP host:99999")]
    [InlineData("SIP/2.0/UDP [2001:db8::1")]
    [InlineData("SIP/2.0/UDP 192.0.2.15;;,;,,")]
    [InlineData("SIP/2.0/UDP host;branch=")]
    [InlineData("SIP/2.0/UDP ho st")]
    public void Malformed_via_is_refused(string text)
    {
        Assert.False(ViaHeader.TryParse(text, out _), text);
    }

    [Fact]
    public void Malformed_rport_value_reads_as_absent_value()
    {
        Assert.True(ViaHeader.TryParse("SIP/2.0/UDP h;rport=99999999", out var via));
        Assert.True(via.HasRPort);
        Assert.Null(via.RPort);
    }
}
