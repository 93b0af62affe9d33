using Parley.Xmpp.Xml;

namespace Parley.Server.Sessions;

/// <summary>
/// XEP-0198 counters of one session: stanzas handled from the client (<see cref="InboundHandled"/>) and
/// stanzas sent to it that it has not acknowledged yet, numbered from 1.
/// </summary>
public sealed class StreamManagementState(string id, bool resumable)
{
    private readonly Queue<(uint Sequence, Element Stanza)> _unacked = new();

    public string Id { get; } = id;

    public bool Resumable { get; } = resumable;

    public uint InboundHandled { get; set; }

    public uint OutboundSent { get; private set; }

    public uint OutboundAcked { get; private set; }

    public int UnackedCount => _unacked.Count;

    public void Track(Element stanza)
    {
        OutboundSent++;
        _unacked.Enqueue((OutboundSent, stanza));
    }

    /// <summary>Applies an ack. Returns false when the peer acknowledges more than was sent (a protocol violation).</summary>
    public bool Acknowledge(uint handled)
    {
        // Counters wrap at 2^32 (XEP-0198 §5); compare by distance from the last ack.
        var newlyAcked = handled - OutboundAcked;
        if (newlyAcked > OutboundSent - OutboundAcked)
        {
            return false;
        }

        while (_unacked.Count > 0 && SequenceLessOrEqual(_unacked.Peek().Sequence, handled))
        {
            _unacked.Dequeue();
        }

        OutboundAcked = handled;
        return true;
    }

    public IReadOnlyList<Element> Unacked() => _unacked.Select(u => u.Stanza).ToArray();

    public IReadOnlyList<Element> DrainUnacked()
    {
        var stanzas = Unacked();
        _unacked.Clear();
        OutboundAcked = OutboundSent;
        return stanzas;
    }

    private static bool SequenceLessOrEqual(uint sequence, uint handled) => handled - sequence < int.MaxValue;
}
