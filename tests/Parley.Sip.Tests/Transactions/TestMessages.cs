using System.Net;
using Parley.Sip.Messages;
using Parley.Sip.Transport;

namespace Parley.Sip.Tests.Transactions;

/// <summary>Requests and sources for transaction tests.</summary>
public static class TestMessages
{
    public static SipSource Udp { get; } = new(SipTransportKind.Udp, IPEndPoint.Parse("192.0.2.10:5060"), IPEndPoint.Parse("192.0.2.1:5060"));

    public static SipSource Tcp { get; } = new(SipTransportKind.Tcp, IPEndPoint.Parse("192.0.2.10:40000"), IPEndPoint.Parse("192.0.2.1:5060"));

    public static SipDestination UdpPeer { get; } = new(SipTransportKind.Udp, IPEndPoint.Parse("192.0.2.20:5060"));

    public static SipDestination TcpPeer { get; } = new(SipTransportKind.Tcp, IPEndPoint.Parse("192.0.2.20:5060"));

    /// <summary>A request as a client at 192.0.2.10 would send it.</summary>
    public static SipRequest Received(string method, string branch = "z9hG4bK-client-1", uint cseq = 1, string transport = "UDP", string? cseqMethod = null)
    {
        var request = SipRequest.Create(method, SipUri.Parse("sip:bob@example.com"));
        request.Headers.Add(SipHeaderNames.Via, $"SIP/2.0/{transport} 192.0.2.10:5060;branch={branch}");
        request.Headers.Add(SipHeaderNames.MaxForwards, "70");
        request.Headers.Add(SipHeaderNames.From, "\"Alice\" <sip:alice@example.com>;tag=alice-tag");
        request.Headers.Add(SipHeaderNames.To, "<sip:bob@example.com>");
        request.Headers.Add(SipHeaderNames.CallId, "call-1@192.0.2.10");
        request.Headers.Add(SipHeaderNames.CSeq, $"{cseq} {cseqMethod ?? method}");
        return request;
    }

    /// <summary>A request we originate, without Via (the layer adds it).</summary>
    public static SipRequest Outgoing(string method, uint cseq = 1)
    {
        var request = SipRequest.Create(method, SipUri.Parse("sip:carol@example.org"));
        request.Headers.Add(SipHeaderNames.MaxForwards, "70");
        request.Headers.Add(SipHeaderNames.Route, "<sip:edge.example.org;lr>");
        request.Headers.Add(SipHeaderNames.From, "<sip:alice@example.com>;tag=ours");
        request.Headers.Add(SipHeaderNames.To, "<sip:carol@example.org>");
        request.Headers.Add(SipHeaderNames.CallId, "out-1@proxy.example.net");
        request.Headers.Add(SipHeaderNames.CSeq, $"{cseq} {method}");
        return request;
    }
}
