namespace Parley.Xmpp.Streams;

/// <summary>Bounds on what a peer may send on one XML stream. Setters validate.</summary>
public sealed class XmppLimits
{
    private int _maxStanzaBytes = 256 * 1024;
    private int _maxDepth = 32;
    private int _maxAttributesPerElement = 64;
    private int _maxStreamHeaderBytes = 4 * 1024;

    /// <summary>Largest stanza in bytes; 256 KiB as Prosody's c2s_stanza_size_limit.</summary>
    public int MaxStanzaBytes { get => _maxStanzaBytes; set => _maxStanzaBytes = Positive(value); }

    /// <summary>Deepest element nesting inside a stanza (the stream element not counted).</summary>
    public int MaxDepth { get => _maxDepth; set => _maxDepth = Positive(value); }

    public int MaxAttributesPerElement { get => _maxAttributesPerElement; set => _maxAttributesPerElement = Positive(value); }

    /// <summary>Largest stream header (&lt;?xml?&gt; plus &lt;stream:stream ...&gt;).</summary>
    public int MaxStreamHeaderBytes { get => _maxStreamHeaderBytes; set => _maxStreamHeaderBytes = Positive(value); }

    private static int Positive(int value) => value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be positive");
}
