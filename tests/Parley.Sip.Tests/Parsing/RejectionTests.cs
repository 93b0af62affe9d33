using System.Buffers;
using System.Text;
using Parley.Sip.Messages;
using Parley.Sip.Parsing;
using Parley.Sip.Tests.Support;

namespace Parley.Sip.Tests.Parsing;

/// <summary>Malformed and oversized input is refused with the reason and status of the one table.</summary>
public sealed class RejectionTests
{
    private const string Headers =
        "Via: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK1\r\n" +
        "From: <sip:a@example.com>;tag=1\r\n" +
        "To: <sip:b@example.com>\r\n" +
        "Call-ID: abc\r\n" +
        "CSeq: 1 OPTIONS\r\n";

    private static byte[] Options(string extraHeaders, string body = "", string startLine = "OPTIONS sip:b@example.com SIP/2.0") =>
        SipSamples.Bytes(startLine + "\r\n" + Headers + extraHeaders + "\r\n" + body);

    [Theory]
    [InlineData(SipRejectionReason.InvalidStartLine, 400)]
    [InlineData(SipRejectionReason.BadRequestUri, 400)]
    [InlineData(SipRejectionReason.RequestUriTooLong, 414)]
    [InlineData(SipRejectionReason.UnsupportedVersion, 505)]
    [InlineData(SipRejectionReason.MissingContentLength, 400)]
    [InlineData(SipRejectionReason.InvalidContentLength, 400)]
    [InlineData(SipRejectionReason.ContentLengthExceedsDatagram, 400)]
    [InlineData(SipRejectionReason.BodyTooLarge, 413)]
    [InlineData(SipRejectionReason.MessageTooLarge, 513)]
    [InlineData(SipRejectionReason.TooManyHeaders, 513)]
    [InlineData(SipRejectionReason.HeaderLineTooLong, 513)]
    [InlineData(SipRejectionReason.TooManyVias, 513)]
    public void Rejection_reason_maps_to_its_status(SipRejectionReason reason, int status)
    {
        Assert.Equal(status, SipRejection.StatusCode(reason));
    }

    [Fact]
    public void Every_rejection_reason_has_a_status()
    {
        foreach (var reason in Enum.GetValues<SipRejectionReason>())
        {
            Assert.InRange(SipRejection.StatusCode(reason), 400, 599);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => SipRejection.StatusCode((SipRejectionReason)999));
    }

    [Fact]
    public void Missing_content_length_on_a_stream_is_400_with_a_partial_request()
    {
        var error = Parse.StreamError(Options(""));
        Assert.Equal(SipRejectionReason.MissingContentLength, error.Reason);
        Assert.Equal("abc", error.PartialRequest!.CallId);
    }

    [Fact]
    public void Missing_content_length_in_a_datagram_means_the_rest_is_the_body()
    {
        Assert.Equal("hello", Encoding.ASCII.GetString(Parse.Datagram(Options("", "hello")).Body.Span));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("1 2")]
    [InlineData("99999999999")]
    [InlineData("+5")]
    [InlineData("")]
    public void Garbage_content_length_is_400_on_streams_and_datagrams(string value)
    {
        var bytes = Options($"Content-Length: {value}\r\n");
        Assert.Equal(SipRejectionReason.InvalidContentLength, Parse.StreamError(bytes).Reason);
        Assert.Equal(SipRejectionReason.InvalidContentLength, Parse.DatagramError(bytes).Reason);
    }

    [Fact]
    public void Folded_content_length_is_read_across_its_continuation_line()
    {
        Assert.Equal("hello", Encoding.ASCII.GetString(Parse.Stream(Options("Content-Length:\r\n   5\r\n", "hello")).Body.Span));
        Assert.Equal(SipRejectionReason.InvalidContentLength, Parse.StreamError(Options("Content-Length: 1\r\n 5\r\n", "hello")).Reason);
    }

    [Fact]
    public void Content_length_over_the_limit_is_413_before_the_body_arrives()
    {
        var bytes = Options("Content-Length: 70000\r\n");
        var error = Parse.StreamError(bytes);
        Assert.Equal(SipRejectionReason.BodyTooLarge, error.Reason);
        Assert.Equal(413, error.StatusCode);
        Assert.NotNull(error.PartialRequest);
    }

    [Fact]
    public void Header_section_that_never_ends_within_the_limit_is_513()
    {
        var limits = new SipLimits { MaxMessageBytes = 1024 };
        var bytes = Options("X-Filler: " + new string('a', 2000) + "\r\n").AsSpan(0, 1500).ToArray();
        var error = Parse.StreamError(bytes, limits);
        Assert.Equal(SipRejectionReason.MessageTooLarge, error.Reason);
        Assert.Equal(513, error.StatusCode);
    }

    [Fact]
    public void Header_section_shorter_than_the_limit_waits()
    {
        var limits = new SipLimits { MaxMessageBytes = 4096 };
        var buffer = new ReadOnlySequence<byte>(Options("X-Filler: " + new string('a', 2000) + "\r\n").AsSpan(0, 1500).ToArray());
        Assert.False(new SipMessageParser(limits).TryParseStream(ref buffer, out _, out _));
    }

    [Fact]
    public void Datagram_over_the_limit_is_513()
    {
        var limits = new SipLimits { MaxMessageBytes = 512 };
        Assert.Equal(SipRejectionReason.MessageTooLarge, Parse.DatagramError(Options("", new string('x', 600)), limits).Reason);
    }

    [Fact]
    public void Overlong_request_line_is_414_even_before_its_end_arrives()
    {
        var limits = new SipLimits { MaxStartLineBytes = 64 };
        var line = "OPTIONS sip:" + new string('u', 200) + "@example.com SIP/2.0";
        var complete = Parse.StreamError(Options("Content-Length: 0\r\n", startLine: line), limits);
        Assert.Equal(SipRejectionReason.RequestUriTooLong, complete.Reason);
        Assert.Equal(414, complete.StatusCode);
        Assert.NotNull(complete.PartialRequest);

        var partial = Parse.StreamError(Encoding.ASCII.GetBytes(line[..100]), limits);
        Assert.Equal(SipRejectionReason.RequestUriTooLong, partial.Reason);
    }

    [Fact]
    public void Overlong_status_line_is_rejected_400()
    {
        var limits = new SipLimits { MaxStartLineBytes = 64 };
        var error = Parse.DatagramError(Options("", startLine: "SIP/2.0 200 " + new string('k', 100)), limits);
        Assert.Equal(SipRejectionReason.StatusLineTooLong, error.Reason);
    }

    [Fact]
    public void Too_many_header_lines_is_513()
    {
        var limits = new SipLimits { MaxHeaderCount = 10 };
        var extra = string.Concat(Enumerable.Range(0, 10).Select(i => $"X-{i}: v\r\n"));
        Assert.Equal(SipRejectionReason.TooManyHeaders, Parse.DatagramError(Options(extra), limits).Reason);
    }

    [Fact]
    public void Overlong_header_line_is_513()
    {
        var limits = new SipLimits { MaxHeaderLineBytes = 100 };
        Assert.Equal(SipRejectionReason.HeaderLineTooLong, Parse.DatagramError(Options("Subject: " + new string('s', 200) + "\r\n"), limits).Reason);
    }

    [Fact]
    public void Too_many_vias_counting_comma_joined_values_is_513()
    {
        var limits = new SipLimits { MaxViaCount = 3 };
        var error = Parse.DatagramError(Options("Via: SIP/2.0/UDP a, SIP/2.0/UDP b, SIP/2.0/UDP c\r\n"), limits);
        Assert.Equal(SipRejectionReason.TooManyVias, error.Reason);
    }

    [Theory]
    [InlineData("SIP/3.0", SipRejectionReason.UnsupportedVersion)]
    [InlineData("SIP/1.0", SipRejectionReason.UnsupportedVersion)]
    [InlineData("SIP/2", SipRejectionReason.InvalidStartLine)]
    [InlineData("HTTP/1.1", SipRejectionReason.InvalidStartLine)]
    public void Request_with_another_version_is_rejected(string version, SipRejectionReason reason)
    {
        var error = Parse.DatagramError(Options("", startLine: "OPTIONS sip:b@example.com " + version));
        Assert.Equal(reason, error.Reason);
        Assert.NotNull(error.PartialRequest);
    }

    [Fact]
    public void Lower_case_sip_version_is_accepted()
    {
        Assert.IsType<SipRequest>(Parse.Datagram(Options("", startLine: "OPTIONS sip:b@example.com sip/2.0")));
    }

    [Theory]
    [InlineData("SIP/2.0 99 Low")]
    [InlineData("SIP/2.0 700 High")]
    [InlineData("SIP/2.0 20 Short")]
    [InlineData("SIP/2.0 2000 Long")]
    [InlineData("SIP/2.0  200 OK")]
    [InlineData("SIP/2.0 2x0 OK")]
    public void Malformed_status_line_is_rejected(string line)
    {
        Assert.Equal(SipRejectionReason.InvalidStartLine, Parse.DatagramError(Options("", startLine: line)).Reason);
    }

    [Fact]
    public void Status_line_without_reason_or_its_space_is_accepted()
    {
        Assert.Equal("", ((SipResponse)Parse.Datagram(Options("", startLine: "SIP/2.0 180"))).ReasonPhrase);
    }

    [Theory]
    [InlineData("X-Bad\r\n")]
    [InlineData(": novalue\r\n")]
    [InlineData("Bad Name: v\r\n")]
    [InlineData("X-Ctl: a\u0001b\r\n")]
    [InlineData("X-Cr: a\rb\r\n")]
    [InlineData("X-Lf: a\nb\r\n")]
    public void Malformed_header_line_is_rejected_with_a_partial_request(string line)
    {
        var error = Parse.DatagramError(Options(line));
        Assert.Equal(SipRejectionReason.MalformedHeader, error.Reason);
        Assert.NotNull(error.PartialRequest);
    }

    [Fact]
    public void Continuation_line_right_after_the_start_line_is_rejected()
    {
        var bytes = SipSamples.Bytes("OPTIONS sip:b@example.com SIP/2.0\r\n folded\r\n" + Headers + "\r\n");
        Assert.Equal(SipRejectionReason.MalformedHeader, Parse.DatagramError(bytes).Reason);
    }

    [Fact]
    public void Invalid_utf8_in_headers_is_rejected()
    {
        var bytes = Options("Subject: \u00e9\r\n");
        var index = Array.IndexOf(bytes, (byte)0xC3);
        bytes[index + 1] = 0x28; // breaks the two-byte sequence
        Assert.Equal(SipRejectionReason.InvalidUtf8, Parse.DatagramError(bytes).Reason);
    }

    [Theory]
    [InlineData("From: <sip:x@example.com>\r\n")]
    [InlineData("To: <sip:x@example.com>\r\n")]
    [InlineData("i: other\r\n")]
    [InlineData("CSeq: 2 OPTIONS\r\n")]
    [InlineData("Max-Forwards: 70\r\nMax-Forwards: 69\r\n")]
    [InlineData("Content-Length: 0\r\nl: 0\r\n")]
    public void Repeated_single_valued_header_is_rejected(string line)
    {
        Assert.Equal(SipRejectionReason.DuplicateHeader, Parse.DatagramError(Options(line)).Reason);
    }

    [Theory]
    [InlineData("Via")]
    [InlineData("From")]
    [InlineData("To")]
    [InlineData("Call-ID")]
    [InlineData("CSeq")]
    public void Missing_required_header_is_rejected(string name)
    {
        var text = "OPTIONS sip:b@example.com SIP/2.0\r\n" + string.Concat(Headers.Split("\r\n").Where(l => l.Length > 0 && !l.StartsWith(name + ":")).Select(l => l + "\r\n")) + "\r\n";
        Assert.Equal(SipRejectionReason.MissingRequiredHeader, Parse.DatagramError(SipSamples.Bytes(text)).Reason);
    }

    [Fact]
    public void Cseq_method_must_match_the_request_method()
    {
        var bytes = SipSamples.Bytes(SipSamples.Register.Replace("CSeq: 21 REGISTER", "CSeq: 21 INVITE"));
        Assert.Equal(SipRejectionReason.CSeqMethodMismatch, Parse.DatagramError(bytes).Reason);
    }

    [Fact]
    public void Datagram_of_only_crlfs_is_a_keep_alive_not_a_message()
    {
        Assert.True(SipMessageParser.IsKeepAlive("\r\n\r\n"u8));
        Assert.False(SipMessageParser.IsKeepAlive("\r\nX"u8));
        Assert.Equal(SipRejectionReason.InvalidStartLine, Parse.DatagramError("\r\n\r\n"u8.ToArray()).Reason);
    }

    [Fact]
    public void Limits_setters_refuse_nonsense()
    {
        var limits = new SipLimits();
        Assert.Throws<ArgumentOutOfRangeException>(() => limits.MaxMessageBytes = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => limits.MaxStartLineBytes = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => limits.MaxHeaderCount = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => limits.MaxHeaderLineBytes = 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => limits.MaxViaCount = 0);
        Assert.Equal(65536, limits.MaxMessageBytes);
    }
}
