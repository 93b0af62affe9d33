using Parley.Sip.Messages;
using Parley.Sip.Parsing;
using Parley.Sip.Tests.Support;

namespace Parley.Sip.Tests.Parsing;

/// <summary>IPv6 references in every place a message carries hosts, in the spirit of the RFC 5118 torture cases.</summary>
public sealed class Ipv6MessageTests
{
    private static string Register(string requestUri, string via, string contact) =>
        $"REGISTER {requestUri} SIP/2.0\r\n" +
        $"Via: {via}\r\n" +
        "From: <sip:user@example.com>;tag=81x2\r\n" +
        "To: <sip:user@example.com>\r\n" +
        "Call-ID: SSG9559905523997077@hlau_4100\r\n" +
        "CSeq: 1 REGISTER\r\n" +
        $"Contact: {contact}\r\n" +
        "Content-Length: 0\r\n\r\n";

    [Fact]
    public void Ipv6_hosts_in_request_uri_via_and_contact_parse()
    {
        var request = Parse.Request(Register(
            "sip:[2001:db8::10]:5070",
            "SIP/2.0/UDP [2001:db8::9:1]:5060;branch=z9hG4bKas3-111;received=[2001:db8::9:255];rport=5061",
            "\"user\" <sip:user@[2001:db8::10]:5070;transport=udp>;expires=3600"));
        Assert.Equal("2001:db8::10", request.RequestUri.Host);
        Assert.Equal(5070, request.RequestUri.Port);
        Assert.Equal("2001:db8::9:1", request.TopVia.Host);
        Assert.Equal("[2001:db8::9:255]", request.TopVia.Received);
        Assert.Equal(5061, request.TopVia.RPort);
        Assert.True(NameAddress.TryParse(request.Headers[SipHeaderNames.Contact], out var contact));
        Assert.Equal("2001:db8::10", contact.Uri.Host);
        Assert.Equal("sip:[2001:db8::10]:5070", request.RequestUri.ToString());
    }

    [Fact]
    public void Unbracketed_ipv6_received_is_accepted()
    {
        var request = Parse.Request(Register("sip:example.com", "SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255;branch=z9hG4bKas3", "<sip:u@[2001:db8::1]>"));
        Assert.Equal("2001:db8::9:255", request.TopVia.Received);
    }

    [Fact]
    public void Ipv4_mapped_ipv6_and_ipv4_compatible_forms_parse()
    {
        Assert.Equal("::ffff:192.0.2.128", SipUri.Parse("sip:user@[::ffff:192.0.2.128]").Host);
        Assert.Equal("2001:db8::192.0.2.1", SipUri.Parse("sip:[2001:db8::192.0.2.1]").Host);
    }

    [Fact]
    public void Port_inside_the_brackets_is_part_of_the_address()
    {
        // RFC 5118 §3.3: [2001:db8::10:5070] is an address with no port, not 2001:db8::10 port 5070.
        var uri = SipUri.Parse("sip:[2001:db8::10:5070]");
        Assert.Equal("2001:db8::10:5070", uri.Host);
        Assert.Null(uri.Port);
    }

    [Theory]
    [InlineData("sip:[2001:db8::10::5070]")]
    [InlineData("sip:user@2001:db8::10")]
    [InlineData("sip:[2001:db8:::10]")]
    [InlineData("sip:[2001:db8::10]5070")]
    public void Malformed_ipv6_request_uri_is_rejected_400_with_a_partial_request(string requestUri)
    {
        var error = Parse.DatagramError(SipSamples.Bytes(Register(requestUri, "SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKx", "<sip:u@[2001:db8::1]>")));
        Assert.Equal(SipRejectionReason.BadRequestUri, error.Reason);
        Assert.NotNull(error.PartialRequest);
    }

    [Fact]
    public void Ipv6_via_without_brackets_is_unreadable()
    {
        var request = Parse.Request(Register("sip:example.com", "SIP/2.0/UDP 2001:db8::9:1;branch=z9hG4bKx", "<sip:u@example.com>"));
        Assert.False(request.TryGetTopVia(out _));
    }
}
