using System.Diagnostics.CodeAnalysis;

namespace Parley.Xmpp.Streams;

/// <summary>
/// The one place the parser raises stream errors. Details are fixed texts: they may be logged,
/// so they never echo peer data.
/// </summary>
internal static class XmppStreamThrow
{
    [DoesNotReturn]
    public static void NotWellFormed(string detail) => throw new XmppStreamException(XmppStreamErrorReason.NotWellFormed, detail);

    [DoesNotReturn]
    public static void RestrictedXml(string detail) => throw new XmppStreamException(XmppStreamErrorReason.RestrictedXml, detail);

    [DoesNotReturn]
    public static void PolicyViolation(string detail) => throw new XmppStreamException(XmppStreamErrorReason.PolicyViolation, detail);

    [DoesNotReturn]
    public static void BadNamespacePrefix(string detail) => throw new XmppStreamException(XmppStreamErrorReason.BadNamespacePrefix, detail);

    [DoesNotReturn]
    public static void InvalidNamespace(string detail) => throw new XmppStreamException(XmppStreamErrorReason.InvalidNamespace, detail);

    [DoesNotReturn]
    public static void Stream(XmppStreamErrorReason reason, string detail) => throw new XmppStreamException(reason, detail);
}
