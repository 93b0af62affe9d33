using System.Buffers;
using System.Text;
using Parley.Sip.Messages;
using Parley.Sip.Parsing;
using Parley.Sip.Tests.Support;

namespace Parley.Sip.Tests.Parsing;

/// <summary>Incremental parsing: prefixes, split points, pipelining and keep-alives.</summary>
public sealed class StreamFramingTests
{
    public static TheoryData<string> Samples() => new(SipSamples.All);

    public static TheoryData<string> StreamableTorture() => new(
        TortureCorpus.Names().Where(name =>
        {
            var bytes = TortureCorpus.Read(name);
            try
            {
                Parse.Stream(bytes);
                return true;
            }
            catch (Exception)
            {
                return false;
            }
        }));

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_proper_prefix_is_incomplete_and_consumes_nothing(string text)
    {
        var bytes = SipSamples.Bytes(text);
        var parser = new SipMessageParser(new SipLimits());
        for (var length = 0; length < bytes.Length; length++)
        {
            var buffer = new ReadOnlySequence<byte>(bytes, 0, length);
            Assert.False(parser.TryParseStream(ref buffer, out var message, out var keepAlives), $"prefix {length}");
            Assert.Null(message);
            Assert.Equal(0, keepAlives);
            Assert.Equal(length, buffer.Length);
        }
    }

    [Theory]
    [MemberData(nameof(StreamableTorture))]
    public void Every_proper_prefix_of_a_torture_message_is_incomplete(string name)
    {
        var bytes = TortureCorpus.Read(name);
        var complete = Parse.Stream(bytes);
        var total = SipMessageWriter.Measure(complete);
        var parser = new SipMessageParser(new SipLimits());
        var end = bytes.AsSpan().IndexOf("\r\n\r\n"u8) + 4 + complete.Body.Length;
        for (var length = 0; length < end; length++)
        {
            var buffer = new ReadOnlySequence<byte>(bytes, 0, length);
            Assert.False(parser.TryParseStream(ref buffer, out _, out _), $"prefix {length}");
            Assert.Equal(length, buffer.Length);
        }
        Assert.True(total > 0);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_two_segment_split_parses_the_same_message(string text)
    {
        var bytes = SipSamples.Bytes(text);
        var expected = Describe(Parse.Stream(bytes));
        var parser = new SipMessageParser(new SipLimits());
        for (var cut = 1; cut < bytes.Length; cut++)
        {
            var buffer = Sequences.Split(bytes, cut);
            Assert.True(parser.TryParseStream(ref buffer, out var message, out _), $"split at {cut}");
            Assert.Equal(expected, Describe(message!));
            Assert.True(buffer.IsEmpty);
        }
    }

    [Theory]
    [MemberData(nameof(StreamableTorture))]
    public void Every_split_point_of_a_torture_message_parses_the_same(string name)
    {
        var bytes = TortureCorpus.Read(name);
        var expected = Describe(Parse.Stream(bytes));
        var parser = new SipMessageParser(new SipLimits());
        for (var cut = 1; cut < bytes.Length; cut++)
        {
            var buffer = Sequences.Split(bytes, cut, cut + 7);
            Assert.True(parser.TryParseStream(ref buffer, out var message, out _), $"split at {cut}");
            Assert.Equal(expected, Describe(message!));
        }
    }

    [Fact]
    public void One_byte_segments_parse_the_same_message()
    {
        var bytes = SipSamples.Bytes(SipSamples.Notify);
        var buffer = Sequences.Bytewise(bytes);
        Assert.True(new SipMessageParser(new SipLimits()).TryParseStream(ref buffer, out var message, out _));
        Assert.Equal(Describe(Parse.Stream(bytes)), Describe(message!));
    }

    [Fact]
    public void Pipelined_messages_are_returned_one_per_call_in_order()
    {
        var bytes = SipSamples.Bytes(SipSamples.Register + SipSamples.Invite + SipSamples.Ok);
        var buffer = Sequences.Split(bytes, 100, 700, 1000);
        var parser = new SipMessageParser(new SipLimits());
        var kinds = new List<string>();
        while (parser.TryParseStream(ref buffer, out var message, out _))
        {
            kinds.Add(message is SipRequest r ? r.Method : ((SipResponse)message!).StatusCode.ToString());
        }
        Assert.Equal(["REGISTER", "INVITE", "200"], kinds);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void Double_crlf_pings_are_counted_and_consumed_before_a_message()
    {
        var bytes = SipSamples.Bytes("\r\n\r\n\r\n\r\n" + SipSamples.Ok);
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.True(new SipMessageParser(new SipLimits()).TryParseStream(ref buffer, out var message, out var keepAlives));
        Assert.Equal(2, keepAlives);
        Assert.IsType<SipResponse>(message);
    }

    [Fact]
    public void A_ping_alone_is_consumed_and_reported_without_a_message()
    {
        var buffer = new ReadOnlySequence<byte>("\r\n\r\n"u8.ToArray());
        Assert.False(new SipMessageParser(new SipLimits()).TryParseStream(ref buffer, out var message, out var keepAlives));
        Assert.Null(message);
        Assert.Equal(1, keepAlives);
        Assert.True(buffer.IsEmpty);
    }

    [Theory]
    [InlineData("\r")]
    [InlineData("\r\n")]
    [InlineData("\r\n\r")]
    public void A_partial_ping_waits_without_consuming(string partial)
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(partial));
        Assert.False(new SipMessageParser(new SipLimits()).TryParseStream(ref buffer, out _, out var keepAlives));
        Assert.Equal(0, keepAlives);
        Assert.Equal(partial.Length, buffer.Length);
    }

    [Fact]
    public void A_single_crlf_before_a_start_line_is_skipped_without_counting_a_ping()
    {
        var buffer = new ReadOnlySequence<byte>(SipSamples.Bytes("\r\n" + SipSamples.Ok));
        Assert.True(new SipMessageParser(new SipLimits()).TryParseStream(ref buffer, out var message, out var keepAlives));
        Assert.Equal(0, keepAlives);
        Assert.NotNull(message);
    }

    [Fact]
    public void Body_is_kept_byte_exact_including_non_utf8_bytes()
    {
        var head = "MESSAGE sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\nCall-ID: c\r\nCSeq: 1 MESSAGE\r\nContent-Length: 4\r\n\r\n";
        var bytes = Encoding.ASCII.GetBytes(head).Concat(new byte[] { 0xFF, 0x00, 0x0D, 0x0A }).ToArray();
        Assert.Equal(new byte[] { 0xFF, 0x00, 0x0D, 0x0A }, Parse.Stream(bytes).Body.ToArray());
    }

    [Fact]
    public void Parsed_message_does_not_alias_the_receive_buffer()
    {
        var bytes = SipSamples.Bytes(SipSamples.Message);
        var message = Parse.Stream(bytes);
        Array.Clear(bytes);
        Assert.Equal("k3kN8JH2lq", message.CallId);
        Assert.EndsWith("☕", Encoding.UTF8.GetString(message.Body.Span));
    }

    private static string Describe(SipMessage message) =>
        Encoding.UTF8.GetString(SipMessageWriter.ToBytes(message));
}
