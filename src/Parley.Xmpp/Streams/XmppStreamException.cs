namespace Parley.Xmpp.Streams;

/// <summary>The peer broke the stream; the connection answers with the stream error and closes.</summary>
public sealed class XmppStreamException(XmppStreamErrorReason reason, string detail) : Exception(detail)
{
    public XmppStreamErrorReason Reason { get; } = reason;
}
