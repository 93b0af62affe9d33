using System.Buffers;
using BenchmarkDotNet.Attributes;
using Parley.Xmpp.Streams;
using Parley.Xmpp.Xml;

namespace Parley.Benchmarks.Xmpp;

/// <summary>Parsing one stanza on an open stream: the per-stanza cost of every c2s and s2s connection.</summary>
[MemoryDiagnoser]
public class StanzaParsingBenchmarks
{
    private readonly XmppStreamParser _parser = new(new XmppLimits());
    private ReadOnlySequence<byte> _message;
    private ReadOnlySequence<byte> _presence;
    private ReadOnlySequence<byte> _roster;
    private ReadOnlySequence<byte> _messageInTwoSegments;

    [GlobalSetup]
    public void Setup()
    {
        var header = new ReadOnlySequence<byte>(StanzaSamples.Utf8(StanzaSamples.ClientHeader));
        var reader = new SequenceReader<byte>(header);
        if (!_parser.TryRead(ref reader, out _))
        {
            throw new InvalidOperationException("header did not parse");
        }

        _message = new ReadOnlySequence<byte>(StanzaSamples.Utf8(StanzaSamples.Message));
        _presence = new ReadOnlySequence<byte>(StanzaSamples.Utf8(StanzaSamples.Presence));
        _roster = new ReadOnlySequence<byte>(StanzaSamples.Utf8(StanzaSamples.RosterResult));
        _messageInTwoSegments = TwoSegments(StanzaSamples.Utf8(StanzaSamples.Message));
    }

    [Benchmark(Baseline = true)]
    public Element Message() => Parse(_message);

    [Benchmark]
    public Element Presence() => Parse(_presence);

    [Benchmark]
    public Element RosterResult20Items() => Parse(_roster);

    /// <summary>The slow path: the stanza straddles two reads and is copied into the pooled frame buffer.</summary>
    [Benchmark]
    public Element MessageAcrossTwoSegments() => Parse(_messageInTwoSegments);

    private Element Parse(ReadOnlySequence<byte> input)
    {
        var reader = new SequenceReader<byte>(input);
        if (!_parser.TryRead(ref reader, out var streamEvent))
        {
            throw new InvalidOperationException("stanza did not parse");
        }

        return streamEvent.Element!;
    }

    private static ReadOnlySequence<byte> TwoSegments(byte[] bytes)
    {
        var half = bytes.Length / 2;
        var first = new Segment(bytes.AsMemory(0, half), null);
        var second = new Segment(bytes.AsMemory(half), first);
        return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, Segment? previous)
        {
            Memory = memory;
            if (previous is not null)
            {
                RunningIndex = previous.Memory.Length;
                previous.Next = this;
            }
        }
    }
}
