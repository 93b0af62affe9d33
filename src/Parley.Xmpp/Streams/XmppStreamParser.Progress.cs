namespace Parley.Xmpp.Streams;

public sealed partial class XmppStreamParser
{
    /// <summary>
    /// True while bytes of an unfinished frame (header, stanza or closing tag) are held: the caller can put a deadline
    /// on completing it, which a slow sender cannot dodge by trickling bytes.
    /// </summary>
    public bool HasPartialStanza => _frameLength > 0;
}
