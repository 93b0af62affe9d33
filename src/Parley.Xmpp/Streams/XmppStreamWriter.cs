using System.Buffers;
using Parley.Xmpp.Xml;

namespace Parley.Xmpp.Streams;

/// <summary>Writes the non-stanza parts of a stream: headers, stream errors and the closing tag.</summary>
public static class XmppStreamWriter
{
    /// <summary>&lt;?xml version='1.0'?&gt;&lt;stream:stream ... &gt; with the given attributes (null ones omitted).</summary>
    public static void WriteHeader(IBufferWriter<byte> writer, string defaultNamespace, string? from, string? to, string? id, string? lang)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentException.ThrowIfNullOrEmpty(defaultNamespace);
        XmlSerializer.WriteRaw(writer, "<?xml version='1.0'?><stream:stream xmlns='"u8);
        XmlSerializer.WriteEscaped(writer, defaultNamespace, XmlSerializer.AttributeValueSpecials);
        XmlSerializer.WriteRaw(writer, "' xmlns:stream='http://etherx.jabber.org/streams'"u8);
        WriteAttribute(writer, " id='"u8, id);
        WriteAttribute(writer, " from='"u8, from);
        WriteAttribute(writer, " to='"u8, to);
        XmlSerializer.WriteRaw(writer, " version='1.0'"u8);
        WriteAttribute(writer, " xml:lang='"u8, lang);
        XmlSerializer.WriteRaw(writer, ">"u8);
    }

    /// <summary>&lt;stream:error&gt; with the condition and optional text, followed by &lt;/stream:stream&gt;.</summary>
    public static void WriteError(IBufferWriter<byte> writer, XmppStreamErrorReason reason, string? text)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var condition = ConditionName(reason);
        XmlSerializer.WriteRaw(writer, "<stream:error><"u8);
        XmlSerializer.WriteEscaped(writer, condition, XmlSerializer.TextValueSpecials);
        XmlSerializer.WriteRaw(writer, " xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"u8);
        if (!string.IsNullOrEmpty(text))
        {
            XmlSerializer.WriteRaw(writer, "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>"u8);
            XmlSerializer.WriteEscaped(writer, text, XmlSerializer.TextValueSpecials);
            XmlSerializer.WriteRaw(writer, "</text>"u8);
        }

        XmlSerializer.WriteRaw(writer, "</stream:error></stream:stream>"u8);
    }

    public static void WriteEnd(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        XmlSerializer.WriteRaw(writer, "</stream:stream>"u8);
    }

    /// <summary>The RFC 6120 §4.9.3 condition element name for a reason; the one table of the mapping.</summary>
    public static string ConditionName(XmppStreamErrorReason reason) => reason switch
    {
        XmppStreamErrorReason.BadFormat => "bad-format",
        XmppStreamErrorReason.BadNamespacePrefix => "bad-namespace-prefix",
        XmppStreamErrorReason.Conflict => "conflict",
        XmppStreamErrorReason.ConnectionTimeout => "connection-timeout",
        XmppStreamErrorReason.HostUnknown => "host-unknown",
        XmppStreamErrorReason.InternalServerError => "internal-server-error",
        XmppStreamErrorReason.InvalidFrom => "invalid-from",
        XmppStreamErrorReason.InvalidNamespace => "invalid-namespace",
        XmppStreamErrorReason.InvalidXml => "invalid-xml",
        XmppStreamErrorReason.NotAuthorized => "not-authorized",
        XmppStreamErrorReason.NotWellFormed => "not-well-formed",
        XmppStreamErrorReason.PolicyViolation => "policy-violation",
        XmppStreamErrorReason.ResourceConstraint => "resource-constraint",
        XmppStreamErrorReason.RestrictedXml => "restricted-xml",
        XmppStreamErrorReason.SystemShutdown => "system-shutdown",
        XmppStreamErrorReason.UndefinedCondition => "undefined-condition",
        XmppStreamErrorReason.UnsupportedEncoding => "unsupported-encoding",
        XmppStreamErrorReason.UnsupportedStanzaType => "unsupported-stanza-type",
        XmppStreamErrorReason.UnsupportedVersion => "unsupported-version",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "internal bug: stream error reason without a condition"),
    };

    private static void WriteAttribute(IBufferWriter<byte> writer, ReadOnlySpan<byte> opening, string? value)
    {
        if (value is null)
        {
            return;
        }

        XmlSerializer.WriteRaw(writer, opening);
        XmlSerializer.WriteEscaped(writer, value, XmlSerializer.AttributeValueSpecials);
        XmlSerializer.WriteRaw(writer, "'"u8);
    }
}
