using System.Buffers;

namespace Parley.Xmpp.Xml;

public sealed partial class Element
{
    /// <summary>
    /// Writes the element as UTF-8 XML. An xmlns declaration is emitted only when the namespace
    /// differs from <paramref name="parentNamespace"/> (for stanzas: the stream's default namespace).
    /// </summary>
    public void WriteTo(IBufferWriter<byte> writer, string? parentNamespace = null)
        => XmlSerializer.Write(this, writer, parentNamespace);

    /// <summary>The element as XML text, with xmlns always declared on the root.</summary>
    public override string ToString() => XmlSerializer.ToXml(this, null);

    public string ToXml(string? parentNamespace) => XmlSerializer.ToXml(this, parentNamespace);
}
