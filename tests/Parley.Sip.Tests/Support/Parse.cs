using System.Buffers;
using Parley.Sip.Messages;
using Parley.Sip.Parsing;

namespace Parley.Sip.Tests.Support;

/// <summary>Short-hands over <see cref="SipMessageParser"/> for tests.</summary>
internal static class Parse
{
    public static SipMessage Datagram(byte[] bytes, SipLimits? limits = null) =>
        new SipMessageParser(limits ?? new SipLimits()).ParseDatagram(bytes);

    public static SipMessage Datagram(string text) => Datagram(SipSamples.Bytes(text));

    /// <summary>Parses exactly one message from a stream buffer that holds it completely.</summary>
    public static SipMessage Stream(byte[] bytes, SipLimits? limits = null)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.True(new SipMessageParser(limits ?? new SipLimits()).TryParseStream(ref buffer, out var message, out _), "message incomplete");
        return message!;
    }

    public static SipMessage Stream(string text) => Stream(SipSamples.Bytes(text));

    public static SipParseException DatagramError(byte[] bytes, SipLimits? limits = null) =>
        Assert.Throws<SipParseException>(() => Datagram(bytes, limits));

    public static SipParseException StreamError(byte[] bytes, SipLimits? limits = null) =>
        Assert.Throws<SipParseException>(() =>
        {
            var buffer = new ReadOnlySequence<byte>(bytes);
            new SipMessageParser(limits ?? new SipLimits()).TryParseStream(ref buffer, out _, out _);
        });

    public static SipRequest Request(string text) => Assert.IsType<SipRequest>(Datagram(text));
}
