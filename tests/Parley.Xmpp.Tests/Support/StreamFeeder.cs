using System.Buffers;
using System.Text;
using Parley.Xmpp.Streams;

namespace Parley.Xmpp.Tests.Support;

/// <summary>Feeds bytes to a parser the way a connection would, and records what comes out.</summary>
internal sealed class StreamFeeder(XmppStreamParser parser)
{
    public const string ClientHeader =
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0' xml:lang='en'>";

    public StreamFeeder()
        : this(new XmppStreamParser(new XmppLimits()))
    {
    }

    public XmppStreamParser Parser { get; } = parser;

    public List<XmppStreamEvent> Events { get; } = [];

    /// <summary>Total bytes the parser has consumed so far.</summary>
    public long Consumed { get; private set; }

    /// <summary>Feeds one read; the parser must consume everything it was given (it keeps partial frames itself).</summary>
    public void Feed(ReadOnlySequence<byte> input)
    {
        var reader = new SequenceReader<byte>(input);
        try
        {
            while (Parser.TryRead(ref reader, out var streamEvent))
            {
                Events.Add(streamEvent);
            }
        }
        finally
        {
            Consumed += reader.Consumed;
        }

        Assert.True(reader.End, "the parser returned false without consuming its input");
    }

    public void Feed(ReadOnlySpan<byte> bytes) => Feed(new ReadOnlySequence<byte>(bytes.ToArray()));

    public void Feed(string text) => Feed(Encoding.UTF8.GetBytes(text));

    public void FeedInChunks(byte[] bytes, int chunkSize)
    {
        for (var offset = 0; offset < bytes.Length; offset += chunkSize)
        {
            Feed(bytes.AsSpan(offset, Math.Min(chunkSize, bytes.Length - offset)));
        }
    }

    /// <summary>Events as comparable text: kind plus the element's XML.</summary>
    public List<string> Describe() => Events.Select(Describe).ToList();

    public static string Describe(XmppStreamEvent streamEvent) => $"{streamEvent.Kind}: {streamEvent.Element?.ToString()}";

    public static List<string> ParseWhole(byte[] bytes, XmppLimits? limits = null)
    {
        var feeder = new StreamFeeder(new XmppStreamParser(limits ?? new XmppLimits()));
        feeder.Feed(bytes);
        return feeder.Describe();
    }

    /// <summary>A sequence made of several segments, split at the given offsets.</summary>
    public static ReadOnlySequence<byte> Segmented(byte[] bytes, params int[] splits)
    {
        var bounds = splits.Where(s => s > 0 && s < bytes.Length).Distinct().Order().Append(bytes.Length).ToArray();
        Segment? first = null;
        Segment? last = null;
        var start = 0;
        foreach (var end in bounds)
        {
            var segment = new Segment(bytes.AsMemory(start, end - start), last);
            first ??= segment;
            last = segment;
            start = end;
        }

        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    /// <summary>A sequence of the given pieces, empty ones included (pipes can produce them).</summary>
    public static ReadOnlySequence<byte> FromPieces(params byte[][] pieces)
    {
        Segment? first = null;
        Segment? last = null;
        foreach (var piece in pieces)
        {
            last = new Segment(piece, last);
            first ??= last;
        }

        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, Segment? previous)
        {
            Memory = memory;
            if (previous is not null)
            {
                RunningIndex = previous.RunningIndex + previous.Memory.Length;
                previous.Next = this;
            }
        }
    }
}
