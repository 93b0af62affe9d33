namespace Parley.Server.Presence.Availability;

/// <summary>
/// The built-in mapping tables. The seed tables (federation digest §2.4, Tables 5-8) are copied row by row
/// with their English labels; the XMPP tables define how Parley's model goes on the wire.
/// </summary>
public static class AvailabilityTables
{
    /// <summary>
    /// Inbound XMPP: no &lt;show/&gt; and "chat" are Available; "xa" is Away, as seed Table 8 maps it;
    /// "dnd" keeps its meaning (the Lync table, not this one, collapses it to Busy).
    /// </summary>
    public static AvailabilityMappingTable XmppShowToParley { get; } = new(
        "XMPP show → Parley",
        PresenceVocabulary.XmppShow,
        PresenceVocabulary.Parley,
        [
            new("available", nameof(Availability.Available)),
            new("chat", nameof(Availability.Available)),
            new("away", nameof(Availability.Away)),
            new("xa", nameof(Availability.Away)),
            new("dnd", nameof(Availability.DoNotDisturb)),
            new("unavailable", nameof(Availability.Offline)),
        ]);

    /// <summary>
    /// Outbound XMPP. Be Right Back becomes "away", not "xa": RFC 6121 defines xa as away for an extended
    /// period, the opposite of a short absence. Every busy flavour becomes "dnd", the only busy state XMPP has.
    /// Appear Offline is sent as unavailable presence: that is what invisibility means to the watcher.
    /// </summary>
    public static AvailabilityMappingTable ParleyToXmppShow { get; } = new(
        "Parley → XMPP show",
        PresenceVocabulary.Parley,
        PresenceVocabulary.XmppShow,
        [
            new(nameof(Availability.Available), "available"),
            new(nameof(Availability.Away), "away"),
            new(nameof(Availability.BeRightBack), "away"),
            new(nameof(Availability.Busy), "dnd"),
            new(nameof(Availability.DoNotDisturb), "dnd"),
            new(nameof(Availability.OnThePhone), "dnd"),
            new(nameof(Availability.InAMeeting), "dnd"),
            new(nameof(Availability.AppearOffline), "unavailable"),
            new(nameof(Availability.Offline), "unavailable"),
        ]);

    /// <summary>
    /// Inbound SIP (PIDF/RPID, RFC 3863 and RFC 4480 §3.2 activities). Closed is Offline whatever the activity.
    /// Absences group as the seed does: appointment and extended absences (vacation, holiday, travel) are Away like
    /// XMPP xa in Table 8; short breaks are Be Right Back; "permanent-absence" is Offline like Table 7's "不在"
    /// (absent). Busy, on-the-phone and meeting keep their meaning so each table downstream (XMPP dnd, CUPC
    /// Table 6 Busy) decides how to collapse them. Activities that say nothing about reachability are Available.
    /// </summary>
    public static AvailabilityMappingTable PidfRpidToParley { get; } = new(
        "PIDF/RPID → Parley",
        PresenceVocabulary.PidfRpid,
        PresenceVocabulary.Parley,
        [
            new("open", nameof(Availability.Available)),
            new("closed", nameof(Availability.Offline)),
            new("away", nameof(Availability.Away)),
            new("appointment", nameof(Availability.Away)),
            new("vacation", nameof(Availability.Away)),
            new("holiday", nameof(Availability.Away)),
            new("travel", nameof(Availability.Away)),
            new("in-transit", nameof(Availability.Away)),
            new("sleeping", nameof(Availability.Away)),
            new("shopping", nameof(Availability.Away)),
            new("breakfast", nameof(Availability.BeRightBack)),
            new("lunch", nameof(Availability.BeRightBack)),
            new("dinner", nameof(Availability.BeRightBack)),
            new("meal", nameof(Availability.BeRightBack)),
            new("busy", nameof(Availability.Busy)),
            new("on-the-phone", nameof(Availability.OnThePhone)),
            new("meeting", nameof(Availability.InAMeeting)),
            new("presentation", nameof(Availability.InAMeeting)),
            new("performance", nameof(Availability.InAMeeting)),
            new("permanent-absence", nameof(Availability.Offline)),
            new("working", nameof(Availability.Available)),
            new("unknown", nameof(Availability.Available)),
            new("other", nameof(Availability.Available)),
        ]);

    /// <summary>
    /// Outbound SIP. Do Not Disturb becomes "busy" (RPID has no DND; the seed collapses DND to Busy on the other side
    /// too), Be Right Back "away" as seed Table 5 does; Appear Offline is "closed", indistinguishable from offline.
    /// </summary>
    public static AvailabilityMappingTable ParleyToPidfRpid { get; } = new(
        "Parley → PIDF/RPID",
        PresenceVocabulary.Parley,
        PresenceVocabulary.PidfRpid,
        [
            new(nameof(Availability.Available), "open"),
            new(nameof(Availability.Away), "away"),
            new(nameof(Availability.BeRightBack), "away"),
            new(nameof(Availability.Busy), "busy"),
            new(nameof(Availability.DoNotDisturb), "busy"),
            new(nameof(Availability.OnThePhone), "on-the-phone"),
            new(nameof(Availability.InAMeeting), "meeting"),
            new(nameof(Availability.AppearOffline), "closed"),
            new(nameof(Availability.Offline), "closed"),
        ]);

    /// <summary>Seed Table 5, "Cisco Jabber" column (all supported Cisco Jabber clients, footnote 1).</summary>
    public static AvailabilityMappingTable LyncToCiscoJabber { get; } = Table5("Cisco Jabber", PresenceVocabulary.CiscoJabber);

    /// <summary>Seed Table 5, "CUPC 8.x" column.</summary>
    public static AvailabilityMappingTable LyncToCupc8 { get; } = Table5("CUPC 8.x", PresenceVocabulary.Cupc8);

    /// <summary>Seed Table 5, "Third-party XMPP" column.</summary>
    public static AvailabilityMappingTable LyncToThirdPartyXmpp { get; } = Table5("Third-party XMPP", PresenceVocabulary.ThirdPartyXmpp);

    /// <summary>Seed Table 6: CUPC 8.x → Lync/MOC. Every "Offline: …" state maps to Offline.</summary>
    public static AvailabilityMappingTable Cupc8ToLync { get; } = new(
        "Seed Table 6: CUPC 8.x → Lync/MOC",
        PresenceVocabulary.Cupc8,
        PresenceVocabulary.LyncMoc,
        [
            new("Available", "Available"),
            new("Busy", "Busy"),
            new("On the phone", "Busy"),
            new("In a meeting", "Busy"),
            new("Away", "Away"),
            new("Do Not Disturb", "Busy"),
            new("Offline", "Offline"),
            new("Offline: On the phone", "Offline"),
            new("Offline: In a meeting", "Offline"),
            new("Offline: 外出中", "Offline"),
        ]);

    /// <summary>Seed Table 7: Cisco Jabber → Lync/MOC. "不在" ("absent") has no English name in the source.</summary>
    public static AvailabilityMappingTable CiscoJabberToLync { get; } = new(
        "Seed Table 7: Cisco Jabber → Lync/MOC",
        PresenceVocabulary.CiscoJabber,
        PresenceVocabulary.LyncMoc,
        [
            new("Available", "Available"),
            new("Away", "Away"),
            new("Do Not Disturb", "Busy"),
            new("不在", "Offline"),
            new("Offline", "Offline"),
        ]);

    /// <summary>Seed Table 8: third-party XMPP client → Lync/MOC; extended away (xa) is Away, dnd is Busy.</summary>
    public static AvailabilityMappingTable ThirdPartyXmppToLync { get; } = new(
        "Seed Table 8: third-party XMPP → Lync/MOC",
        PresenceVocabulary.ThirdPartyXmpp,
        PresenceVocabulary.LyncMoc,
        [
            new("Available", "Available"),
            new("Away", "Away"),
            new("Away (extended)", "Away"),
            new("Do Not Disturb", "Busy"),
            new("Offline", "Offline"),
        ]);

    /// <summary>Every built-in table, for <see cref="AvailabilityMappingCatalog"/>.</summary>
    public static IReadOnlyList<AvailabilityMappingTable> All { get; } =
    [
        XmppShowToParley, ParleyToXmppShow, PidfRpidToParley, ParleyToPidfRpid, LyncToCiscoJabber, LyncToCupc8, LyncToThirdPartyXmpp, Cupc8ToLync, CiscoJabberToLync, ThirdPartyXmppToLync,
    ];

    /// <summary>Seed Table 5: Lync/MOC → IM&amp;P clients. The three client columns are identical in the source.</summary>
    private static AvailabilityMappingTable Table5(string column, PresenceVocabulary to) => new(
        $"Seed Table 5: Lync/MOC → {column}",
        PresenceVocabulary.LyncMoc,
        to,
        [
            new("Available", "Available"),
            new("Away", "Away"),
            new("Be Right Back", "Away"),
            new("Busy", "Busy"),
            new("Do Not Disturb", "Busy"),
            new("Appear Offline", "Offline"),
            new("Offline", "Offline"),
        ]);
}
