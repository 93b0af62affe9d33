using System.Net;
using Parley.Sip.Messages;
using Parley.Sip.Transport;

namespace Parley.Sip.Tests.Transport;

public sealed class ReceivedStampTests
{
    private static readonly IPEndPoint Nat = IPEndPoint.Parse("203.0.113.7:61000");

    [Fact]
    public void Rport_gets_the_source_port_and_received_even_when_the_host_matches()
    {
        var request = With("SIP/2.0/UDP 203.0.113.7:5060;branch=z9hG4bK-1;rport");

        ReceivedStamp.Apply(request, Nat);

        Assert.Equal(61000, request.TopVia.RPort);
        Assert.Equal("203.0.113.7", request.TopVia.Received);
    }

    [Fact]
    public void A_sent_by_that_is_not_the_source_gets_received()
    {
        var request = With("SIP/2.0/UDP client.example.com;branch=z9hG4bK-1");

        ReceivedStamp.Apply(request, Nat);

        Assert.Equal("203.0.113.7", request.TopVia.Received);
        Assert.False(request.TopVia.HasRPort);
    }

    [Fact]
    public void A_matching_sent_by_is_left_alone()
    {
        var request = With("SIP/2.0/UDP 203.0.113.7:5060;branch=z9hG4bK-1");

        ReceivedStamp.Apply(request, Nat);

        Assert.Null(request.TopVia.Received);
    }

    [Fact]
    public void A_forged_received_is_replaced_so_replies_cannot_be_reflected()
    {
        var request = With("SIP/2.0/UDP 203.0.113.7;branch=z9hG4bK-1;received=198.51.100.99");

        ReceivedStamp.Apply(request, Nat);

        Assert.Equal("203.0.113.7", request.TopVia.Received);
    }

    [Fact]
    public void Only_the_top_via_changes_and_the_others_keep_their_order()
    {
        var request = With("SIP/2.0/UDP a.example.com;branch=z9hG4bK-top;rport, SIP/2.0/UDP b.example.com;branch=z9hG4bK-second");
        request.Headers.Add(SipHeaderNames.Via, "SIP/2.0/UDP c.example.com;branch=z9hG4bK-third");

        ReceivedStamp.Apply(request, Nat);

        Assert.Equal(["z9hG4bK-top", "z9hG4bK-second", "z9hG4bK-third"], request.Vias.Select(v => v.Branch));
        Assert.Null(request.Vias[1].Received);
    }

    [Fact]
    public void Ipv4_mapped_sources_are_written_as_plain_ipv4()
    {
        var request = With("SIP/2.0/UDP client.example.com;branch=z9hG4bK-1;rport");

        ReceivedStamp.Apply(request, new IPEndPoint(IPAddress.Parse("::ffff:203.0.113.7"), 61000));

        Assert.Equal("203.0.113.7", request.TopVia.Received);
    }

    [Fact]
    public void Response_target_is_received_and_rport_else_sent_by_port_else_the_default()
    {
        var source = new SipSource(SipTransportKind.Udp, Nat, IPEndPoint.Parse("192.0.2.1:5060"));
        var stamped = With("SIP/2.0/UDP client.example.com:5070;branch=z9hG4bK-1;rport");
        ReceivedStamp.Apply(stamped, Nat);
        var plain = With("SIP/2.0/UDP 203.0.113.7:5070;branch=z9hG4bK-1");
        var noPort = With("SIP/2.0/TLS 203.0.113.7;branch=z9hG4bK-1");

        Assert.Equal(Nat, ReceivedStamp.ResponseTarget(SipResponse.CreateFor(stamped, 200), source));
        Assert.Equal(IPEndPoint.Parse("203.0.113.7:5070"), ReceivedStamp.ResponseTarget(SipResponse.CreateFor(plain, 200), source));
        var tls = new SipSource(SipTransportKind.Tls, Nat, IPEndPoint.Parse("192.0.2.1:5061"));
        Assert.Equal(IPEndPoint.Parse("203.0.113.7:5061"), ReceivedStamp.ResponseTarget(SipResponse.CreateFor(noPort, 200), tls));
    }

    private static SipRequest With(string via)
    {
        var request = SipRequest.Create(SipMethods.Options, SipUri.Parse("sip:parley@example.com"));
        request.Headers.Add(SipHeaderNames.Via, via);
        request.Headers.Add(SipHeaderNames.From, "<sip:alice@example.com>;tag=a");
        request.Headers.Add(SipHeaderNames.To, "<sip:parley@example.com>");
        request.Headers.Add(SipHeaderNames.CallId, "stamp@test");
        request.Headers.Add(SipHeaderNames.CSeq, "1 OPTIONS");
        return request;
    }
}
