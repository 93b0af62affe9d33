using System.Buffers;

namespace Parley.Xmpp.Streams;

/// <summary>Writes the non-stanza parts of a stream: headers, stream errors and the closing tag.</summary>
public static class XmppStreamWriter
{
    /// <summary>&lt;?xml version='1.0'?&gt;&lt;stream:stream ... &gt; with the given attributes (null ones omitted).</summary>
    public static void WriteHeader(IBufferWriter<byte> writer, string defaultNamespace, string? from, string? to, string? id, string? lang)
        => throw new NotImplementedException();

    /// <summary>&lt;stream:error&gt; with the condition and optional text, followed by &lt;/stream:stream&gt;.</summary>
    public static void WriteError(IBufferWriter<byte> writer, XmppStreamErrorReason reason, string? text)
        => throw new NotImplementedException();

    public static void WriteEnd(IBufferWriter<byte> writer) => throw new NotImplementedException();

    public static string ConditionName(XmppStreamErrorReason reason) => throw new NotImplementedException();
}
