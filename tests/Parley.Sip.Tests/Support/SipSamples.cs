using System.Text;

namespace Parley.Sip.Tests.Support;

/// <summary>Realistic messages in the shape softphones send (Linphone/baresip style).</summary>
internal static class SipSamples
{
    public const string Register =
        "REGISTER sip:example.com SIP/2.0\r\n" +
        "Via: SIP/2.0/TCP 192.0.2.10:50612;branch=z9hG4bK.7fGh2kq;rport\r\n" +
        "From: <sip:alice@example.com>;tag=9fxced76sl\r\n" +
        "To: <sip:alice@example.com>\r\n" +
        "CSeq: 21 REGISTER\r\n" +
        "Call-ID: 843817637684230@998sdasdh09\r\n" +
        "Max-Forwards: 70\r\n" +
        "Supported: replaces, outbound, gruu\r\n" +
        "Contact: <sip:alice@192.0.2.10:50612;transport=tcp>;expires=3600;+sip.instance=\"<urn:uuid:0a1b2c3d-1111-2222-3333-444455556666>\"\r\n" +
        "Authorization: Digest realm=\"example.com\", nonce=\"bQ2h1xkAAAB4s3Vo\", algorithm=MD5, username=\"alice\", uri=\"sip:example.com\", response=\"d0a5d5b2d5d2a4f5b4e2a2b1c0d9e8f7\", cnonce=\"Pb2Ja1a0\", nc=00000001, qop=auth\r\n" +
        "User-Agent: Linphone/5.2.0 (belle-sip/5.2.0)\r\n" +
        "Content-Length: 0\r\n" +
        "\r\n";

    private const string Sdp =
        "v=0\r\n" +
        "o=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\n" +
        "s=-\r\n" +
        "c=IN IP4 192.0.2.10\r\n" +
        "t=0 0\r\n" +
        "m=audio 49170 RTP/AVP 0 8 101\r\n" +
        "a=rtpmap:0 PCMU/8000\r\n" +
        "a=rtpmap:8 PCMA/8000\r\n" +
        "a=rtpmap:101 telephone-event/8000\r\n" +
        "a=sendrecv\r\n";

    public static readonly string Invite =
        "INVITE sip:bob@example.com SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n" +
        "Max-Forwards: 70\r\n" +
        "To: \"Bob\" <sip:bob@example.com>\r\n" +
        "From: \"Alice Liddell\" <sip:alice@example.com>;tag=1928301774\r\n" +
        "Call-ID: a84b4c76e66710@pc33.example.com\r\n" +
        "CSeq: 314159 INVITE\r\n" +
        "Contact: <sip:alice@192.0.2.10:5060>\r\n" +
        "Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, NOTIFY, MESSAGE, SUBSCRIBE, INFO, UPDATE\r\n" +
        "Supported: replaces, timer\r\n" +
        "User-Agent: baresip v3.10.1 (x86_64/linux)\r\n" +
        "Content-Type: application/sdp\r\n" +
        $"Content-Length: {Sdp.Length}\r\n" +
        "\r\n" + Sdp;

    public const string Message =
        "MESSAGE sip:bob@example.com SIP/2.0\r\n" +
        "Via: SIP/2.0/TLS 192.0.2.10:52144;branch=z9hG4bK.Hq7y8s1;rport\r\n" +
        "From: <sip:alice@example.com>;tag=xFa9~Ve3\r\n" +
        "To: sip:bob@example.com\r\n" +
        "CSeq: 20 MESSAGE\r\n" +
        "Call-ID: k3kN8JH2lq\r\n" +
        "Max-Forwards: 70\r\n" +
        "Date: Sat, 21 Nov 2026 13:37:00 GMT\r\n" +
        "Content-Type: text/plain;charset=UTF-8\r\n" +
        "Content-Length: 32\r\n" +
        "\r\n" +
        "Are you coming to the café? ☕";

    private const string Pidf =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n" +
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\" " +
        "xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\" entity=\"sip:alice@example.com\">\r\n" +
        "  <tuple id=\"sip\"><status><basic>open</basic></status><contact>sip:alice@example.com</contact></tuple>\r\n" +
        "  <dm:person id=\"p1\"><rpid:activities><rpid:meeting/></rpid:activities><dm:note>In a meeting until 3</dm:note></dm:person>\r\n" +
        "</presence>\r\n";

    public static readonly string Notify =
        "NOTIFY sip:bob@192.0.2.20:5060;transport=tcp SIP/2.0\r\n" +
        "Via: SIP/2.0/TCP 198.51.100.1:5060;branch=z9hG4bK-524287-1---c1a5e5b6d2f3a4b5\r\n" +
        "Max-Forwards: 70\r\n" +
        "Contact: <sip:198.51.100.1:5060;transport=tcp>\r\n" +
        "To: <sip:bob@example.com>;tag=b0b7a9\r\n" +
        "From: <sip:alice@example.com>;tag=a1ice5\r\n" +
        "Call-ID: 52ab7c1e-65f2-4b1a-9c5f-000000000001\r\n" +
        "CSeq: 7 NOTIFY\r\n" +
        "Event: presence\r\n" +
        "Subscription-State: active;expires=3599\r\n" +
        "Content-Type: application/pidf+xml\r\n" +
        $"Content-Length: {Encoding.UTF8.GetByteCount(Pidf)}\r\n" +
        "\r\n" + Pidf;

    public const string Ok =
        "SIP/2.0 200 OK\r\n" +
        "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport=5060;received=192.0.2.10\r\n" +
        "To: \"Bob\" <sip:bob@example.com>;tag=a6c85cf\r\n" +
        "From: \"Alice Liddell\" <sip:alice@example.com>;tag=1928301774\r\n" +
        "Call-ID: a84b4c76e66710@pc33.example.com\r\n" +
        "CSeq: 314159 INVITE\r\n" +
        "Content-Length: 0\r\n" +
        "\r\n";

    public static IEnumerable<string> All => [Register, Invite, Message, Notify, Ok];

    public static byte[] Bytes(string message) => Encoding.UTF8.GetBytes(message);
}
