namespace Parley.Sip.Parsing;

/// <summary>Bounds on one received SIP message. Setters validate.</summary>
public sealed class SipLimits
{
    private int _maxMessageBytes = 64 * 1024;
    private int _maxStartLineBytes = 8 * 1024;
    private int _maxHeaderCount = 256;
    private int _maxHeaderLineBytes = 16 * 1024;
    private int _maxViaCount = 70;

    /// <summary>
    /// Largest message (headers and body); 64 KiB, the largest UDP datagram and the size Kamailio's
    /// BUF_SIZE and the RFC 3261 §18.1.1 discussion imply for a datagram.
    /// </summary>
    public int MaxMessageBytes { get => _maxMessageBytes; set => _maxMessageBytes = AtLeast(value, 256); }

    /// <summary>Longest request or status line; 8 KiB like Kestrel's MaxRequestLineSize.</summary>
    public int MaxStartLineBytes { get => _maxStartLineBytes; set => _maxStartLineBytes = AtLeast(value, 32); }

    /// <summary>Most header lines; 256, far above real traffic (a REGISTER has about 12).</summary>
    public int MaxHeaderCount { get => _maxHeaderCount; set => _maxHeaderCount = AtLeast(value, 8); }

    /// <summary>Longest header line including its folded continuations; 16 KiB.</summary>
    public int MaxHeaderLineBytes { get => _maxHeaderLineBytes; set => _maxHeaderLineBytes = AtLeast(value, 64); }

    /// <summary>
    /// Most Via values; 70, the Max-Forwards default of RFC 3261 §8.1.1.6, so a message that has crossed
    /// more hops than any legal one is refused.
    /// </summary>
    public int MaxViaCount { get => _maxViaCount; set => _maxViaCount = AtLeast(value, 1); }

    private static int AtLeast(int value, int minimum) =>
        value >= minimum ? value : throw new ArgumentOutOfRangeException(nameof(value), value, $"must be at least {minimum}");
}
