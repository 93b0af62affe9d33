using System.Buffers;

namespace Parley.Xmpp.Xml;

/// <summary>Serialises <see cref="Element"/> trees to UTF-8 with minimal escaping.</summary>
internal static class XmlSerializer
{
    public static void Write(Element element, IBufferWriter<byte> writer, string? parentNamespace)
        => throw new NotImplementedException();

    public static string ToXml(Element element, string? parentNamespace)
        => throw new NotImplementedException();
}
