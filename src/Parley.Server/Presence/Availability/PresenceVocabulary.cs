namespace Parley.Server.Presence.Availability;

/// <summary>
/// The set of state names one system or protocol uses; a mapping table translates from one vocabulary to another.
/// New protocols (SIP/PIDF, RPID) add a vocabulary and their tables; nothing else changes.
/// </summary>
public sealed record PresenceVocabulary(string Name)
{
    /// <summary>Parley's own model: the names of <see cref="Availability"/> members.</summary>
    public static PresenceVocabulary Parley { get; } = new("Parley");

    /// <summary>
    /// XMPP on the wire (RFC 6121 §4.7.2.1): "available" (no &lt;show/&gt;), "chat", "away", "xa", "dnd",
    /// and "unavailable" (presence type='unavailable').
    /// </summary>
    public static PresenceVocabulary XmppShow { get; } = new("XMPP show");

    /// <summary>
    /// SIP presence documents: PIDF basic status "open"/"closed" (RFC 3863) and, for an open presentity, the RPID
    /// activity names (RFC 4480 §3.2, e.g. "busy", "on-the-phone"); "open" alone means no activity given.
    /// </summary>
    public static PresenceVocabulary PidfRpid { get; } = new("PIDF/RPID");

    /// <summary>States as shown by Microsoft Lync / Office Communicator (federation seed, §2.4).</summary>
    public static PresenceVocabulary LyncMoc { get; } = new("Lync/MOC");

    public static PresenceVocabulary CiscoJabber { get; } = new("Cisco Jabber");

    public static PresenceVocabulary Cupc8 { get; } = new("CUPC 8.x");

    /// <summary>States as a third-party XMPP client presents them (the seed's labels, not wire tokens).</summary>
    public static PresenceVocabulary ThirdPartyXmpp { get; } = new("Third-party XMPP");

    public override string ToString() => Name;
}
