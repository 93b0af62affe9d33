using Parley.Xmpp.Xml;

namespace Parley.Xmpp.Streams;

public enum XmppStreamEventKind
{
    /// <summary>The stream header; <see cref="XmppStreamEvent.Element"/> is the (empty) stream:stream element with its attributes.</summary>
    StreamStart,

    /// <summary>A complete top-level child of the stream.</summary>
    Stanza,

    /// <summary>&lt;/stream:stream&gt;.</summary>
    StreamEnd,
}

public readonly record struct XmppStreamEvent(XmppStreamEventKind Kind, Element? Element);
