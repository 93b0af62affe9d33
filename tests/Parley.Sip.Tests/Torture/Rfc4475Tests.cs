using System.Buffers;
using Parley.Sip.Authentication;
using Parley.Sip.Messages;
using Parley.Sip.Parsing;
using Parley.Sip.Tests.Support;

namespace Parley.Sip.Tests.Torture;

/// <summary>
/// RFC 4475 §3: every valid message parses with the right fields; every invalid one is rejected with
/// the reason the RFC expects, or parses with the faulty part unreadable so the server can answer as
/// the RFC says (its policy, e.g. 416 or 420, lives in Parley.Server).
/// </summary>
public sealed class Rfc4475Tests
{
    private static SipRequest Request(string name) => Assert.IsType<SipRequest>(Parse.Datagram(TortureCorpus.Read(name)));

    private static SipResponse Response(string name) => Assert.IsType<SipResponse>(Parse.Datagram(TortureCorpus.Read(name)));

    private static SipParseException Rejected(string name) => Parse.DatagramError(TortureCorpus.Read(name));

    private static readonly string[] ValidNames =
    [
        "wsinv", "intmeth", "esc01", "escnull", "esc02", "lwsdisp", "longreq", "dblreq", "semiuri", "transports",
        "mpart01", "unreason", "noreason",
        // Syntactically valid; the RFC's expected answer is transaction-user policy.
        "badbranch", "baddate", "escruri", "regbadct", "badaspec", "baddn", "quotbal", "badinv01", "unkscm",
        "novelsc", "unksm2", "bext01", "invut", "regaut01", "zeromf", "cparam01", "cparam02", "regescrt",
        "sdp01", "inv2543", "bcast",
    ];

    public static TheoryData<string> ValidMessages() => new(ValidNames);

    [Theory]
    [MemberData(nameof(ValidMessages))]
    public void Valid_message_parses_as_a_datagram_and_on_a_stream(string name)
    {
        var bytes = TortureCorpus.Read(name);
        var datagram = Parse.Datagram(bytes);
        Assert.NotNull(datagram.CallId);

        var buffer = new ReadOnlySequence<byte>(bytes);
        var parser = new SipMessageParser(new SipLimits());
        if (!datagram.Headers.Contains(SipHeaderNames.ContentLength))
        {
            // RFC 3261 §18.3: on a stream Content-Length is mandatory (inv2543 has none).
            Assert.Equal(SipRejectionReason.MissingContentLength, Parse.StreamError(bytes).Reason);
            return;
        }
        if (bytes.AsSpan().IndexOf("\r\n\r\n"u8) < 0)
        {
            // No empty line after the headers (baddn): on a stream the message is simply not complete yet.
            Assert.False(parser.TryParseStream(ref buffer, out _, out _));
            return;
        }
        Assert.True(parser.TryParseStream(ref buffer, out var streamed, out _));
        Assert.Equal(datagram.Body.ToArray(), streamed!.Body.ToArray());
        Assert.Equal(datagram.Headers.Select(h => h.ToString()), streamed.Headers.Select(h => h.ToString()));
    }

    [Fact]
    public void Wsinv_short_tortuous_invite_unfolds_whitespace_and_compact_forms()
    {
        var request = Request("wsinv");
        Assert.Equal(SipMethods.Invite, request.Method);
        Assert.Equal("vivekg", request.RequestUri.User);
        Assert.Equal("chair-dnrc.example.com", request.RequestUri.Host);
        Assert.True(request.RequestUri.Parameters.Contains("unknownparam"));
        Assert.Equal("1918181833n", request.To.Tag);
        Assert.Equal("J Rosenberg \\\"", request.From.DisplayName);
        Assert.Equal("98asjd8", request.From.Tag);
        Assert.Equal(68, request.MaxForwards);
        Assert.Equal(new CSeqHeader(9, SipMethods.Invite), request.CSeq);
        Assert.Equal("wsinv.ndaksdj@192.0.2.1", request.CallId);
        Assert.Equal(150, request.Body.Length);

        var vias = request.Vias;
        Assert.Equal(3, vias.Count);
        Assert.Equal(("UDP", "192.0.2.2", "390skdjuw"), (vias[0].Transport, vias[0].Host, vias[0].Branch));
        Assert.Equal(("TCP", "spindle.example.com", "z9hG4bK9ikj8"), (vias[1].Transport, vias[1].Host, vias[1].Branch));
        Assert.Equal(("UDP", "192.168.255.111", "z9hG4bK30239"), (vias[2].Transport, vias[2].Host, vias[2].Branch));

        Assert.Equal("", request.Headers[SipHeaderNames.Subject]);
        Assert.Equal("newfangled value continued newfangled value", request.Headers["NewFangledHeader"]);
        Assert.Equal(";;,,;;,;", request.Headers["UnknownHeaderWithUnusualValue"]);
        var route = Assert.Single(request.Headers.GetValues(SipHeaderNames.Route));
        Assert.True(NameAddress.TryParse(route, out var routeAddress));
        Assert.True(routeAddress.Uri.Parameters.Contains("lr"));
        Assert.True(NameAddress.TryParse(Assert.Single(request.Headers.GetValues(SipHeaderNames.Contact)), out var contact));
        Assert.Equal("Quoted string \"\"", contact.DisplayName);
        Assert.Equal("newvalue", contact.Parameters["newparam"]);
        Assert.True(contact.Parameters.Contains("secondparam"));
        Assert.Equal("0.33", contact.Parameters["q"]);
    }

    [Fact]
    public void Intmeth_accepts_the_full_token_alphabet_and_quoted_control_characters()
    {
        var request = Request("intmeth");
        Assert.Equal("!interesting-Method0123456789_*+`.%indeed'~", request.Method);
        Assert.Equal("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", request.RequestUri.User);
        Assert.Equal("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)", request.RequestUri.Password);
        Assert.Equal(request.Method, request.CSeq.Method);
        Assert.Equal("BEL:\a NUL:\0 DEL:\x7f", request.To.DisplayName);
        Assert.Equal("token1~` token2'+_ token3*%!.-", request.From.DisplayName);
        Assert.Equal("_token~1'+`*%!-.", request.From.Tag);
        Assert.Equal("z9hG4bK-.!%66*_+`'~", request.TopVia.Branch);
        Assert.Equal("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{", request.CallId);
        Assert.Equal("\uFEFF\u5927\u505C\u96FB", request.Headers["extensionHeader-!.%*+_`'~"]);
    }

    [Fact]
    public void Esc01_unescapes_user_parts()
    {
        var request = Request("esc01");
        Assert.Equal("sips:user@example.com", request.RequestUri.User);
        Assert.Equal("example.net", request.RequestUri.Host);
        Assert.Equal("user", request.To.Uri.User);
        Assert.Equal("I have spaces", request.From.Uri.User);
        // Escaped and unescaped spellings of the same URI compare equal (RFC 3261 §19.1.4).
        Assert.Equal(SipUri.Parse("sip:user@example.com"), request.To.Uri);
        Assert.Equal("sip:sips%3Auser%40example.com@example.net", request.RequestUri.ToString());
    }

    [Fact]
    public void Escnull_keeps_an_escaped_nul_in_the_user_part()
    {
        var request = Request("escnull");
        Assert.Equal("null-\0-null", request.To.Uri.User);
        Assert.Equal("sip:null-%00-null@example.com", request.To.Uri.ToString());
    }

    [Fact]
    public void Esc02_treats_escapes_in_method_and_header_name_as_literal_tokens()
    {
        var request = Request("esc02");
        Assert.Equal("RE%47IST%45R", request.Method);
        Assert.NotEqual(SipMethods.Register, request.Method);
        Assert.Equal("%Z%45", request.To.DisplayName);
        Assert.Equal(2, request.Headers.GetValues(SipHeaderNames.Contact).Count);
        Assert.Equal("<sip:alias2@host2.example.com>", request.Headers["C%6Fntact"]);
    }

    [Fact]
    public void Lwsdisp_accepts_a_display_name_without_space_before_the_bracket()
    {
        Assert.Equal("caller", Request("lwsdisp").From.DisplayName);
    }

    [Fact]
    public void Longreq_accepts_long_values_and_many_vias()
    {
        var request = Request("longreq");
        Assert.StartsWith("amazinglylongcallername", request.From.Uri.User);
        Assert.Equal(6000, request.To.Uri.Port);
        Assert.True(request.Vias.Count >= 30);
        Assert.Equal(SipMethods.Invite, request.CSeq.Method);
    }

    [Fact]
    public void Dblreq_datagram_ignores_bytes_after_content_length_but_a_stream_yields_both_requests()
    {
        var bytes = TortureCorpus.Read("dblreq");
        var first = Assert.IsType<SipRequest>(Parse.Datagram(bytes));
        Assert.Equal(SipMethods.Register, first.Method);
        Assert.Equal(0, first.Body.Length);
        Assert.Equal("dblreq.0ha0isndaksdj99sdfafnl3lk233412", first.CallId);

        var buffer = new ReadOnlySequence<byte>(bytes);
        var parser = new SipMessageParser(new SipLimits());
        Assert.True(parser.TryParseStream(ref buffer, out var one, out _));
        Assert.True(parser.TryParseStream(ref buffer, out var two, out var keepAlives));
        Assert.Equal(SipMethods.Register, ((SipRequest)one!).Method);
        Assert.Equal(SipMethods.Invite, ((SipRequest)two!).Method);
        Assert.Equal(0, keepAlives);
        Assert.Equal(150, two!.Body.Length);
        Assert.Equal(5, buffer.Length); // the INVITE's body is 155 bytes but announces 150
    }

    [Fact]
    public void Semiuri_keeps_a_semicolon_in_the_user_part()
    {
        var request = Request("semiuri");
        Assert.Equal("user;par=u@example.net", request.RequestUri.User);
        Assert.Equal("example.com", request.RequestUri.Host);
        Assert.Empty(request.RequestUri.Parameters);
    }

    [Fact]
    public void Transports_reads_every_via_transport_including_unknown_ones()
    {
        Assert.Equal(["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"], Request("transports").Vias.Select(v => v.Transport));
    }

    [Fact]
    public void Mpart01_keeps_a_multipart_body_byte_exact()
    {
        var request = Request("mpart01");
        Assert.StartsWith("multipart/mixed", request.ContentType);
        Assert.Equal(int.Parse(request.Headers[SipHeaderNames.ContentLength]!), request.Body.Length);
        Assert.True(request.TopVia.HasRPort);
        Assert.Null(request.TopVia.RPort);
    }

    [Fact]
    public void Unreason_keeps_a_utf8_reason_phrase()
    {
        var response = Response("unreason");
        Assert.Equal(200, response.StatusCode);
        Assert.StartsWith("= 2**3 * 5**2 но сто", response.ReasonPhrase);
        Assert.EndsWith("простое", response.ReasonPhrase);
    }

    [Fact]
    public void Noreason_accepts_an_empty_reason_phrase()
    {
        var response = Response("noreason");
        Assert.Equal(100, response.StatusCode);
        Assert.Equal("", response.ReasonPhrase);
    }

    [Fact]
    public void Badinv01_parses_but_its_via_and_contact_are_unreadable_so_the_server_answers_400()
    {
        var request = Request("badinv01");
        Assert.False(request.TryGetTopVia(out _));
        Assert.Equal(SipRejectionReason.BadHeader, Assert.Throws<SipParseException>(() => request.Vias).Reason);
        Assert.False(NameAddress.TryParse(request.Headers[SipHeaderNames.Contact], out _));
    }

    [Fact]
    public void Clerr_content_length_beyond_the_datagram_is_rejected_and_waits_on_a_stream()
    {
        var error = Rejected("clerr");
        Assert.Equal(SipRejectionReason.ContentLengthExceedsDatagram, error.Reason);
        Assert.Equal(400, error.StatusCode);
        Assert.NotNull(error.PartialRequest);

        var buffer = new ReadOnlySequence<byte>(TortureCorpus.Read("clerr"));
        var before = buffer;
        Assert.False(new SipMessageParser(new SipLimits()).TryParseStream(ref buffer, out _, out _));
        Assert.Equal(before.Length, buffer.Length);
    }

    [Fact]
    public void Scalar02_overlarge_cseq_is_rejected_with_a_partial_request_for_the_400()
    {
        var error = Rejected("scalar02");
        Assert.Equal(SipRejectionReason.BadHeader, error.Reason);
        Assert.Equal(400, error.StatusCode);
        var partial = Assert.IsType<SipRequest>(error.PartialRequest);
        Assert.Equal("scalar02.23o0pd9vanlq3wnrlnewofjas9ui32", partial.CallId);
        Assert.Equal(SipRejectionReason.BadHeader, Assert.Throws<SipParseException>(() => partial.MaxForwards).Reason);
        Assert.Equal(SipRejectionReason.BadHeader, Assert.Throws<SipParseException>(() => partial.Expires).Reason);
    }

    [Fact]
    public void Scalarlg_response_with_overlarge_cseq_is_rejected_so_it_is_dropped()
    {
        Assert.Equal(SipRejectionReason.BadHeader, Rejected("scalarlg").Reason);
    }

    [Fact]
    public void Quotbal_unterminated_quoted_display_name_leaves_to_unreadable()
    {
        var request = Request("quotbal");
        Assert.False(request.TryGetTo(out _));
        Assert.Equal(SipRejectionReason.BadHeader, Assert.Throws<SipParseException>(() => request.To).Reason);
    }

    [Theory]
    [InlineData("ltgtruri", SipRejectionReason.BadRequestUri)]
    [InlineData("lwsruri", SipRejectionReason.InvalidStartLine)]
    [InlineData("lwsstart", SipRejectionReason.InvalidStartLine)]
    [InlineData("trws", SipRejectionReason.InvalidStartLine)]
    [InlineData("mismatch01", SipRejectionReason.CSeqMethodMismatch)]
    [InlineData("mismatch02", SipRejectionReason.CSeqMethodMismatch)]
    [InlineData("multi01", SipRejectionReason.DuplicateHeader)]
    [InlineData("mcl01", SipRejectionReason.DuplicateHeader)]
    [InlineData("ncl", SipRejectionReason.InvalidContentLength)]
    public void Invalid_request_is_rejected_with_400_and_a_partial_request(string name, SipRejectionReason reason)
    {
        var error = Rejected(name);
        Assert.Equal(reason, error.Reason);
        Assert.Equal(400, error.StatusCode);
        // Enough was read to answer statelessly.
        Assert.NotNull(error.PartialRequest);
        var response = SipResponse.CreateFor(error.PartialRequest!, error.StatusCode);
        Assert.Equal(error.PartialRequest!.Headers[SipHeaderNames.CallId], response.Headers[SipHeaderNames.CallId]);
    }

    [Fact]
    public void Badvers_is_answered_505()
    {
        var error = Rejected("badvers");
        Assert.Equal(SipRejectionReason.UnsupportedVersion, error.Reason);
        Assert.Equal(505, error.StatusCode);
        Assert.Equal("OPTIONS", error.PartialRequest!.Method);
    }

    [Fact]
    public void Bigcode_overlarge_status_code_is_rejected()
    {
        Assert.Equal(SipRejectionReason.InvalidStartLine, Rejected("bigcode").Reason);
    }

    [Fact]
    public void Insuf_missing_required_headers_is_rejected_400()
    {
        var error = Rejected("insuf");
        Assert.Equal(SipRejectionReason.MissingRequiredHeader, error.Reason);
        Assert.Equal(400, error.StatusCode);
    }

    [Fact]
    public void Escruri_exposes_the_escaped_headers_of_the_request_uri()
    {
        Assert.Equal("Route=%3Csip:example.com%3E", Request("escruri").RequestUri.Headers);
    }

    [Fact]
    public void Baddate_non_gmt_date_is_accepted_as_text()
    {
        Assert.Equal("Fri, 01 Jan 2010 16:00:00 EST", Request("baddate").Headers[SipHeaderNames.Date]);
    }

    [Fact]
    public void Regbadct_contact_with_escaped_header_outside_brackets_is_unreadable()
    {
        var request = Request("regbadct");
        Assert.False(NameAddress.TryParse(request.Headers[SipHeaderNames.Contact], out _));
    }

    [Fact]
    public void Badaspec_spaces_inside_the_brackets_leave_to_unreadable_but_from_is_fine()
    {
        var request = Request("badaspec");
        Assert.Equal("Bell, Alexander", request.From.DisplayName);
        Assert.False(request.TryGetTo(out _));
    }

    [Fact]
    public void Baddn_unquoted_comma_in_display_name_is_unreadable()
    {
        var request = Request("baddn");
        Assert.False(request.TryGetFrom(out _));
        Assert.False(request.TryGetTo(out _));
    }

    [Fact]
    public void Badbranch_bare_magic_cookie_parses_so_the_transaction_layer_can_decide()
    {
        var via = Request("badbranch").TopVia;
        Assert.Equal(ViaHeader.MagicCookie, via.Branch);
    }

    [Theory]
    [InlineData("unkscm", "nobodyknowsthisscheme", "totallyopaquecontent")]
    [InlineData("novelsc", "soap.beep", "//192.0.2.103:3002")]
    public void Request_uri_with_a_non_sip_scheme_is_exposed_for_a_416(string name, string scheme, string opaque)
    {
        var uri = Request(name).RequestUri;
        Assert.False(uri.IsSip);
        Assert.Equal(scheme, uri.Scheme);
        Assert.Equal(opaque, uri.Opaque);
    }

    [Fact]
    public void Unksm2_unknown_schemes_in_to_from_and_contact_parse()
    {
        var request = Request("unksm2");
        Assert.Equal("isbn", request.To.Uri.Scheme);
        Assert.Equal("http", request.From.Uri.Scheme);
        Assert.Equal("3234233", request.From.Tag);
        Assert.True(NameAddress.TryParse(request.Headers[SipHeaderNames.Contact], out var contact));
        Assert.Equal("name", contact.Uri.Scheme);
    }

    [Fact]
    public void Bext01_require_is_exposed_for_a_420()
    {
        Assert.Contains("nothingSupportsThis", Request("bext01").Headers.GetValues(SipHeaderNames.Require));
    }

    [Fact]
    public void Invut_unknown_content_type_is_exposed_for_a_415()
    {
        Assert.Equal("application/unknownformat", Request("invut").ContentType);
    }

    [Fact]
    public void Regaut01_unknown_authorization_scheme_is_not_digest()
    {
        var value = Request("regaut01").Headers[SipHeaderNames.Authorization]!;
        Assert.Equal("NoOneKnowsThisScheme", DigestCredentials.Scheme(value));
        Assert.False(DigestCredentials.TryParse(value, out _));
    }

    [Fact]
    public void Zeromf_exposes_max_forwards_zero_for_a_483()
    {
        Assert.Equal(0, Request("zeromf").MaxForwards);
    }

    [Fact]
    public void Cparam_contact_parameters_and_uri_parameters_are_kept_apart()
    {
        // Outside <> the parameter belongs to the header (RFC 3261 §20.10), inside to the URI.
        Assert.True(NameAddress.TryParse(Request("cparam01").Headers[SipHeaderNames.Contact], out var one));
        Assert.True(one.Parameters.Contains("unknownparam"));
        Assert.Empty(one.Uri.Parameters);
        Assert.Equal("+19725552222", one.Uri.User);
        Assert.True(NameAddress.TryParse(Request("cparam02").Headers[SipHeaderNames.Contact], out var two));
        Assert.True(two.Uri.Parameters.Contains("unknownparam"));
        Assert.Empty(two.Parameters);
    }

    [Fact]
    public void Regescrt_escaped_header_inside_brackets_is_kept()
    {
        Assert.True(NameAddress.TryParse(Request("regescrt").Headers[SipHeaderNames.Contact], out var contact));
        Assert.Equal("Route=%3Csip:sip.example.com%3E", contact.Uri.Headers);
    }

    [Fact]
    public void Sdp01_accept_is_exposed_for_a_406()
    {
        Assert.Contains("text/nobodyKnowsThis", Request("sdp01").Headers.GetValues(SipHeaderNames.Accept));
    }

    [Fact]
    public void Inv2543_old_syntax_parses_without_branch_or_max_forwards()
    {
        var request = Request("inv2543");
        Assert.Null(request.TopVia.Branch);
        Assert.False(request.TopVia.HasMagicCookie);
        Assert.Null(request.MaxForwards);
    }

    [Fact]
    public void Bcast_response_exposes_the_broadcast_via_so_it_can_be_dropped()
    {
        var response = Response("bcast");
        Assert.Equal("255.255.255.255", response.Vias[1].Host);
    }

    [Fact]
    public void Every_message_in_the_corpus_is_classified()
    {
        var classified = ValidNames
            .Concat(["clerr", "scalar02", "scalarlg", "ltgtruri", "lwsruri", "lwsstart", "trws", "mismatch01", "mismatch02",
                "multi01", "mcl01", "ncl", "badvers", "bigcode", "insuf"]);
        Assert.Equal(TortureCorpus.Names().Order(), classified.Order());
        Assert.Equal(49, TortureCorpus.Names().Count()); // RFC 4475 §3 has 49 messages
    }
}
