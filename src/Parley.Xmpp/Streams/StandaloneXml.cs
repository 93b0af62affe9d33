using System.Buffers;
using System.Text;
using Parley.Xmpp.Xml;

namespace Parley.Xmpp.Streams;

/// <summary>
/// Parses XML that did not come in a stream (a stored stanza, a SIP body) with the network's hardened parser: the
/// bytes are framed as the stanzas of a stream whose default namespace is the caller's, so the limits, the refusal of
/// DTDs and entities, and namespace handling apply unchanged.
/// </summary>
public static class StandaloneXml
{
    /// <summary>
    /// The top-level elements of <paramref name="body"/>, in order. <paramref name="declaration"/> (an XML declaration
    /// or empty) goes before the stream header, the only place XML allows it. <paramref name="complete"/> is false
    /// when the input ends inside an element. Malformed or over-limit XML throws <see cref="XmppStreamException"/>.
    /// </summary>
    public static IReadOnlyList<Element> Parse(ReadOnlySpan<byte> declaration, ReadOnlySpan<byte> body, XmppLimits limits, string defaultNamespace, out bool complete)
    {
        var header = Encoding.UTF8.GetBytes($"<stream:stream xmlns='{defaultNamespace}' xmlns:stream='{XmppNamespaces.Streams}'>");
        var framed = new byte[declaration.Length + header.Length + body.Length];
        declaration.CopyTo(framed);
        header.CopyTo(framed.AsSpan(declaration.Length));
        body.CopyTo(framed.AsSpan(declaration.Length + header.Length));

        var parser = new XmppStreamParser(limits, defaultNamespace);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(framed));
        var elements = new List<Element>(1);
        while (parser.TryRead(ref reader, out var streamEvent))
        {
            if (streamEvent.Kind == XmppStreamEventKind.Stanza)
            {
                elements.Add(streamEvent.Element!);
            }
        }

        complete = !parser.HasPartialStanza;
        return elements;
    }
}
