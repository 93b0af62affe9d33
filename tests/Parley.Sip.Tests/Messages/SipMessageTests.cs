using System.Text;
using Parley.Sip.Messages;
using Parley.Sip.Parsing;
using Parley.Sip.Tests.Support;

namespace Parley.Sip.Tests.Messages;

public sealed class SipMessageTests
{
    [Fact]
    public void CreateFor_copies_vias_from_to_call_id_and_cseq_and_adds_the_to_tag()
    {
        var request = Parse.Request(SipSamples.Invite.Replace("Max-Forwards: 70\r\n", "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp\r\nMax-Forwards: 70\r\n"));
        var response = SipResponse.CreateFor(request, SipStatusCodes.Ringing, toTag: "b0b");
        Assert.Equal(180, response.StatusCode);
        Assert.Equal("Ringing", response.ReasonPhrase);
        Assert.True(response.IsProvisional);
        Assert.False(response.IsFinal);
        Assert.Equal(request.Headers.GetValues(SipHeaderNames.Via), response.Headers.GetValues(SipHeaderNames.Via));
        Assert.Equal(request.From.ToString(), response.From.ToString());
        Assert.Equal("b0b", response.To.Tag);
        Assert.Equal(request.CallId, response.CallId);
        Assert.Equal(request.CSeq, response.CSeq);
        Assert.False(response.Headers.Contains(SipHeaderNames.Contact));
        Assert.False(response.Headers.Contains(SipHeaderNames.ContentType));
    }

    [Theory]
    [InlineData(180, true)]
    [InlineData(200, true)]
    [InlineData(100, false)]
    [InlineData(404, false)]
    public void CreateFor_copies_record_route_into_provisional_and_success_answers_only(int status, bool copied)
    {
        var request = Parse.Request(SipSamples.Invite.Replace("Max-Forwards: 70\r\n",
            "Record-Route: <sip:p2.example.com;lr>\r\nRecord-Route: <sip:p1.example.com;lr>, <sip:p0.example.com;lr>\r\nMax-Forwards: 70\r\n"));

        var response = SipResponse.CreateFor(request, status, toTag: "b0b");

        Assert.Equal(copied ? ["<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>", "<sip:p0.example.com;lr>"] : [],
            response.Headers.GetValues(SipHeaderNames.RecordRoute));
    }

    [Fact]
    public void Parsed_top_via_and_cseq_are_kept_until_the_headers_change()
    {
        var request = Parse.Request(SipSamples.Invite);
        var via = request.TopVia;
        Assert.Same(via, request.TopVia);
        Assert.Equal(request.CSeq, request.CSeq);

        request.Headers.AddFirst(SipHeaderNames.Via, "SIP/2.0/TCP proxy.example.com;branch=z9hG4bKnew");
        request.CSeq = new CSeqHeader(99, SipMethods.Invite);

        Assert.Equal("z9hG4bKnew", request.TopVia.Branch);
        Assert.Equal(99u, request.CSeq.Number);
        request.Headers.RemoveFirstValue(SipHeaderNames.Via);
        Assert.Equal(via.Branch, request.TopVia.Branch);
        request.Headers.Set(SipHeaderNames.Via, "SIP/2.0/UDP a.example.com;branch=z9hG4bKa, SIP/2.0/UDP b.example.com;branch=z9hG4bKb");
        Assert.Equal("z9hG4bKa", request.TopVia.Branch);
        request.Headers.Remove(SipHeaderNames.CSeq);
        Assert.False(request.TryGetCSeq(out _));
    }

    [Fact]
    public void CreateFor_tags_a_to_without_angle_brackets_as_a_header_parameter()
    {
        // RFC 3261 §20.10: without <>, parameters after the URI belong to the header, so the appended tag is one of them.
        var request = Parse.Request(SipSamples.Invite.Replace("To: \"Bob\" <sip:bob@example.com>", "To: sip:bob@example.com;x=1"));

        var response = SipResponse.CreateFor(request, SipStatusCodes.Ok, toTag: "b0b");

        Assert.Equal("b0b", response.To.Tag);
        Assert.Equal("1", response.To.Parameters["x"]);
        Assert.Equal("sip:bob@example.com", response.To.Uri.ToString());
        Assert.Null(request.To.Tag);
    }

    [Fact]
    public void Response_reads_the_top_via_of_its_request_until_its_own_via_changes()
    {
        var request = Parse.Request(SipSamples.Invite);
        var via = request.TopVia;

        var response = SipResponse.CreateFor(request, SipStatusCodes.Ok, toTag: "b0b");
        response.Headers.Set(SipHeaderNames.Server, "Parley");

        Assert.Same(via, response.TopVia);
        response.Headers.Set(SipHeaderNames.Via, "SIP/2.0/UDP other.example.com;branch=z9hG4bKother");
        Assert.Equal("other.example.com", response.TopVia.Host);
        Assert.Same(via, request.TopVia);
    }

    [Fact]
    public void CreateFor_keeps_an_existing_to_tag()
    {
        var request = Parse.Request(SipSamples.Notify);
        var response = SipResponse.CreateFor(request, 200, toTag: "other");
        Assert.Equal("b0b7a9", response.To.Tag);
        Assert.True(response.IsSuccess);
    }

    [Fact]
    public void Reason_phrases_default_from_the_status_table()
    {
        Assert.Equal("Request Entity Too Large", SipStatusCodes.ReasonPhrase(413));
        Assert.Equal("Message Too Large", SipStatusCodes.ReasonPhrase(513));
        Assert.Equal("Client Error", SipStatusCodes.ReasonPhrase(499));
        Assert.Throws<ArgumentOutOfRangeException>(() => SipStatusCodes.ReasonPhrase(42));
        Assert.Throws<ArgumentOutOfRangeException>(() => SipResponse.Create(700));
        Assert.Throws<ArgumentException>(() => SipResponse.Create(200, "OK\r\nX: y"));
    }

    [Fact]
    public void Built_request_writes_with_content_length_from_the_body()
    {
        var request = SipRequest.Create(SipMethods.Message, SipUri.Parse("sip:bob@example.com"));
        request.Headers.Add(SipHeaderNames.Via, new ViaHeader("TCP", "192.0.2.1", 5060, "z9hG4bK1").ToString());
        request.From = new NameAddress(SipUri.Parse("sip:alice@example.com")) { Tag = "a" };
        request.To = new NameAddress(SipUri.Parse("sip:bob@example.com"));
        request.CallId = "c1";
        request.CSeq = new CSeqHeader(1, SipMethods.Message);
        request.MaxForwards = 70;
        request.ContentType = "text/plain";
        request.Headers.Add(SipHeaderNames.ContentLength, "999"); // ignored: the writer computes it
        request.Body = Encoding.UTF8.GetBytes("hé");
        var text = Encoding.UTF8.GetString(SipMessageWriter.ToBytes(request));
        Assert.Equal(
            "MESSAGE sip:bob@example.com SIP/2.0\r\n" +
            "Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK1\r\n" +
            "From: <sip:alice@example.com>;tag=a\r\n" +
            "To: <sip:bob@example.com>\r\n" +
            "Call-ID: c1\r\n" +
            "CSeq: 1 MESSAGE\r\n" +
            "Max-Forwards: 70\r\n" +
            "Content-Type: text/plain\r\n" +
            "Content-Length: 3\r\n" +
            "\r\nhé", text);
    }

    [Fact]
    public void Parsed_message_writes_back_byte_for_byte_when_already_canonical()
    {
        foreach (var sample in SipSamples.All)
        {
            Assert.Equal(sample, Encoding.UTF8.GetString(SipMessageWriter.ToBytes(Parse.Datagram(sample))));
        }
    }

    [Fact]
    public void Writer_expands_compact_names_and_unfolds_lines()
    {
        var text = "OPTIONS sip:b@example.com SIP/2.0\r\nv: SIP/2.0/UDP h;branch=z9hG4bK1\r\nf: <sip:a@example.com>;tag=1\r\nt: <sip:b@example.com>\r\ni: x\r\nCSeq: 1\r\n  OPTIONS\r\nl: 0\r\n\r\n";
        Assert.Equal(
            "OPTIONS sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
            Encoding.UTF8.GetString(SipMessageWriter.ToBytes(Parse.Datagram(text))));
    }

    [Fact]
    public void Typed_getters_report_missing_and_malformed_headers()
    {
        var request = SipRequest.Create(SipMethods.Options, SipUri.Parse("sip:b@example.com"));
        Assert.Equal(SipRejectionReason.MissingRequiredHeader, Assert.Throws<SipParseException>(() => request.CallId).Reason);
        Assert.Equal(SipRejectionReason.MissingRequiredHeader, Assert.Throws<SipParseException>(() => request.TopVia).Reason);
        request.Headers.Add(SipHeaderNames.CSeq, "x OPTIONS");
        Assert.Equal(SipRejectionReason.BadHeader, Assert.Throws<SipParseException>(() => request.CSeq).Reason);
        request.Headers.Add(SipHeaderNames.MaxForwards, "256");
        Assert.Equal(SipRejectionReason.BadHeader, Assert.Throws<SipParseException>(() => request.MaxForwards).Reason);
        Assert.False(request.TryGetMaxForwards(out _));
        Assert.Null(request.Expires);
        Assert.True(request.TryGetExpires(out var expires));
        Assert.Null(expires);
        request.Headers.Add(SipHeaderNames.Expires, "-5");
        Assert.False(request.TryGetExpires(out _));
        Assert.False(request.TryGetCallId(out _));
        Assert.False(request.TryGetVias(out _));
        request.Headers.Add(SipHeaderNames.Via, "SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b");
        Assert.True(request.TryGetVias(out var vias));
        Assert.Equal(["a", "b"], vias.Select(v => v.Host));
        request.Headers.Add(SipHeaderNames.Via, "garbage");
        Assert.False(request.TryGetVias(out _));
    }

    [Theory]
    [InlineData("1 INVITE", 1u, "INVITE")]
    [InlineData("4294967295 BYE", 4294967295u, "BYE")]
    [InlineData("  7   ACK ", 7u, "ACK")]
    public void CSeq_parses(string text, uint number, string method)
    {
        Assert.True(CSeqHeader.TryParse(text, out var cseq));
        Assert.Equal(new CSeqHeader(number, method), cseq);
        Assert.Same(SipMethods.Intern(method), cseq.Method);
    }

    [Theory]
    [InlineData("4294967296 INVITE")]
    [InlineData("-1 INVITE")]
    [InlineData("1")]
    [InlineData("INVITE")]
    [InlineData("1 INV ITE")]
    [InlineData("1 <INVITE>")]
    public void Malformed_cseq_is_refused(string text)
    {
        Assert.False(CSeqHeader.TryParse(text, out _));
    }

    [Fact]
    public void From_and_to_are_parsed_once_and_again_after_the_header_changes()
    {
        var request = (SipRequest)Parse.Datagram("OPTIONS sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");

        Assert.Same(request.From, request.From);
        Assert.Same(request.To, request.To);
        request.Headers.Set(SipHeaderNames.From, "<sip:c@example.com>;tag=2");
        Assert.Equal("c", request.From.Uri.User);
        Assert.Equal("2", request.From.Tag);
        request.To = new NameAddress(SipUri.Parse("sip:d@example.com")) { Tag = "3" };
        Assert.Equal("d", request.To.Uri.User);
    }

}
