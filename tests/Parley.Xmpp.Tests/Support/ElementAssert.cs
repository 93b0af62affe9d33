using System.Buffers;
using System.Text;
using Parley.Xmpp.Streams;
using Parley.Xmpp.Xml;

namespace Parley.Xmpp.Tests.Support;

internal static class ElementAssert
{
    /// <summary>Structural equality: names, namespaces, attributes in order, text and children.</summary>
    public static bool DeepEquals(Element a, Element b)
    {
        if (a.Name != b.Name || a.Namespace != b.Namespace || !a.Attributes.SequenceEqual(b.Attributes) || a.Nodes.Count != b.Nodes.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Nodes.Count; i++)
        {
            var equal = (a.Nodes[i], b.Nodes[i]) switch
            {
                (Element x, Element y) => DeepEquals(x, y),
                (XmlText x, XmlText y) => x.Value == y.Value,
                _ => false,
            };

            if (!equal)
            {
                return false;
            }
        }

        return true;
    }

    public static void Equal(Element expected, Element actual)
        => Assert.True(DeepEquals(expected, actual), $"expected {expected}\n  actual {actual}");

    /// <summary>Serialises a stanza as a stream would (parent namespace jabber:client) and parses it back.</summary>
    public static Element RoundTrip(Element stanza)
    {
        var buffer = new ArrayBufferWriter<byte>();
        buffer.Write(Encoding.UTF8.GetBytes(StreamFeeder.ClientHeader));
        stanza.WriteTo(buffer, XmppNamespaces.Client);
        var parser = new XmppStreamParser(new XmppLimits { MaxDepth = 64, MaxAttributesPerElement = 256, MaxStanzaBytes = 16 * 1024 * 1024 });
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(buffer.WrittenMemory));
        Assert.True(parser.TryRead(ref reader, out var header));
        Assert.Equal(XmppStreamEventKind.StreamStart, header.Kind);
        Assert.True(parser.TryRead(ref reader, out var parsed));
        Assert.True(reader.End);
        return parsed.Element!;
    }
}
