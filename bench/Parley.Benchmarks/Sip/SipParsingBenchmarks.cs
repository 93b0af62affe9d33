using System.Buffers;
using BenchmarkDotNet.Attributes;
using Parley.Sip.Messages;
using Parley.Sip.Parsing;
using Parley.Sip.Tests.Support;

namespace Parley.Benchmarks.Sip;

/// <summary>Parsing one message from a TCP/TLS stream or a UDP datagram: the per-message cost of every SIP peer.</summary>
[MemoryDiagnoser]
public class SipParsingBenchmarks
{
    private readonly SipMessageParser _parser = new(new SipLimits());
    private ReadOnlySequence<byte> _register;
    private ReadOnlySequence<byte> _invite;
    private ReadOnlySequence<byte> _message;
    private ReadOnlySequence<byte> _notify;
    private ReadOnlySequence<byte> _inviteInTwoSegments;
    private byte[] _registerDatagram = [];

    [GlobalSetup]
    public void Setup()
    {
        _register = new ReadOnlySequence<byte>(SipSamples.Bytes(SipSamples.Register));
        _invite = new ReadOnlySequence<byte>(SipSamples.Bytes(SipSamples.Invite));
        _message = new ReadOnlySequence<byte>(SipSamples.Bytes(SipSamples.Message));
        _notify = new ReadOnlySequence<byte>(SipSamples.Bytes(SipSamples.Notify));
        _inviteInTwoSegments = TwoSegments(SipSamples.Bytes(SipSamples.Invite));
        _registerDatagram = SipSamples.Bytes(SipSamples.Register);
    }

    [Benchmark(Baseline = true)]
    public SipMessage Register() => Parse(_register);

    [Benchmark]
    public SipMessage Invite() => Parse(_invite);

    [Benchmark]
    public SipMessage Message() => Parse(_message);

    [Benchmark]
    public SipMessage NotifyPidf() => Parse(_notify);

    /// <summary>The slow path: the header section straddles two reads and is copied to a pooled buffer first.</summary>
    [Benchmark]
    public SipMessage InviteAcrossTwoSegments() => Parse(_inviteInTwoSegments);

    [Benchmark]
    public SipMessage RegisterDatagram() => _parser.ParseDatagram(_registerDatagram);

    /// <summary>What the transaction layer and registrar read from every request: the typed headers.</summary>
    [Benchmark]
    public int RegisterThenTypedHeaders()
    {
        var message = Parse(_register);
        var via = message.TopVia;
        var from = message.From;
        var to = message.To;
        return message.CallId.Length + (int)message.CSeq.Number + via.Branch!.Length + from.Tag!.Length + to.Uri.Host.Length
            + (message.MaxForwards ?? 0);
    }

    private SipMessage Parse(ReadOnlySequence<byte> input)
    {
        if (!_parser.TryParseStream(ref input, out var message, out _))
        {
            throw new InvalidOperationException("message did not parse");
        }
        return message!;
    }

    private static ReadOnlySequence<byte> TwoSegments(byte[] bytes)
    {
        var half = bytes.Length / 2;
        var first = new Segment(bytes.AsMemory(0, half), 0);
        var second = first.Append(bytes.AsMemory(half));
        return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
