using System.Buffers;
using System.Text;
using Parley.Xmpp;
using Parley.Xmpp.Streams;
using Parley.Xmpp.Xml;

namespace Parley.Server.Messaging;

/// <summary>Parses a stanza the server stored itself (offline messages) with the same hardened parser as the network.</summary>
public sealed class StoredStanzaReader(Parley.Server.Xmpp.XmppServerOptions options)
{
    private static readonly byte[] StreamHeader = Encoding.UTF8.GetBytes(
        $"<stream:stream xmlns='{XmppNamespaces.Client}' xmlns:stream='{XmppNamespaces.Streams}'>");

    public Element? TryRead(string xml)
    {
        var parser = new XmppStreamParser(options.Limits);
        var bytes = new byte[StreamHeader.Length + Encoding.UTF8.GetByteCount(xml)];
        StreamHeader.CopyTo(bytes, 0);
        Encoding.UTF8.GetBytes(xml, bytes.AsSpan(StreamHeader.Length));
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        try
        {
            while (parser.TryRead(ref reader, out var streamEvent))
            {
                if (streamEvent.Kind == XmppStreamEventKind.Stanza)
                {
                    return streamEvent.Element;
                }
            }
        }
        catch (XmppStreamException)
        {
            // A row that no longer parses (written by an older version, damaged) is skipped rather than blocking the queue.
        }

        return null;
    }
}
