using System.Buffers;

namespace Parley.Xmpp.Streams;

/// <summary>
/// Incremental parser of one direction of an XMPP stream (restricted XML, RFC 6120 §11).
/// Stateful: bytes of an incomplete stanza are consumed and kept (bounded by the limits), so total work is linear in the input.
/// </summary>
public sealed class XmppStreamParser
{
    public XmppStreamParser(XmppLimits limits, string defaultNamespace = "jabber:client")
    {
        Limits = limits;
        DefaultNamespace = defaultNamespace;
    }

    public XmppLimits Limits { get; }

    public string DefaultNamespace { get; }

    /// <summary>
    /// Reads at most one event, advancing <paramref name="reader"/> past everything consumed.
    /// Returns false when more input is needed. Throws <see cref="XmppStreamException"/> on a violation.
    /// </summary>
    public bool TryRead(ref SequenceReader<byte> reader, out XmppStreamEvent streamEvent) => throw new NotImplementedException();

    /// <summary>Forgets all state: the next bytes must open a new stream (after STARTTLS or SASL success).</summary>
    public void Reset() => throw new NotImplementedException();
}
