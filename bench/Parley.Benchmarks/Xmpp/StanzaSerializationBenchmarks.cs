using System.Buffers;
using BenchmarkDotNet.Attributes;
using Parley.Xmpp;
using Parley.Xmpp.Streams;
using Parley.Xmpp.Xml;

namespace Parley.Benchmarks.Xmpp;

/// <summary>Serialising routed stanzas into a reused output buffer, as a connection's send loop does.</summary>
[MemoryDiagnoser]
public class StanzaSerializationBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(16 * 1024);
    private Element _message = null!;
    private Element _presence = null!;
    private Element _roster = null!;

    [GlobalSetup]
    public void Setup()
    {
        var parser = new XmppStreamParser(new XmppLimits());
        var input = new ReadOnlySequence<byte>(StanzaSamples.Utf8(StanzaSamples.ClientHeader + StanzaSamples.Message + StanzaSamples.Presence + StanzaSamples.RosterResult));
        var reader = new SequenceReader<byte>(input);
        var elements = new List<Element>();
        while (parser.TryRead(ref reader, out var streamEvent))
        {
            if (streamEvent.Kind == XmppStreamEventKind.Stanza)
            {
                elements.Add(streamEvent.Element!);
            }
        }

        (_message, _presence, _roster) = (elements[0], elements[1], elements[2]);
    }

    [Benchmark(Baseline = true)]
    public int Message() => Write(_message);

    [Benchmark]
    public int Presence() => Write(_presence);

    [Benchmark]
    public int RosterResult20Items() => Write(_roster);

    [Benchmark]
    public string MessageToString() => _message.ToString();

    private int Write(Element element)
    {
        _output.ResetWrittenCount();
        element.WriteTo(_output, XmppNamespaces.Client);
        return _output.WrittenCount;
    }
}
