namespace Parley.Server.Presence.Availability;

/// <summary>What a presence stanza carries for availability: type='unavailable' or not, and the &lt;show/&gt; value.</summary>
public readonly record struct XmppPresenceShow(bool Unavailable, string? Show);

/// <summary>XMPP &lt;presence/&gt; ↔ <see cref="PresenceState"/>, through the XMPP mapping tables.</summary>
public static class XmppAvailability
{
    /// <summary>
    /// The state of an inbound presence. An unknown &lt;show/&gt; value is treated as none (Available):
    /// RFC 6121 §4.7.2.1 allows no other values, and dropping a user's presence for a typo helps nobody.
    /// </summary>
    public static PresenceState FromXmpp(bool unavailable, string? show, string? status)
    {
        var token = unavailable ? "unavailable" : string.IsNullOrEmpty(show) ? "available" : show;
        if (!AvailabilityTables.XmppShowToParley.TryMap(token, out var mapped))
        {
            mapped = nameof(Availability.Available);
        }

        return new PresenceState(Enum.Parse<Availability>(mapped), string.IsNullOrEmpty(status) ? null : status);
    }

    /// <summary>How to send <paramref name="availability"/>: unavailable presence, or available with this &lt;show/&gt; (null for none).</summary>
    public static XmppPresenceShow ToXmpp(Availability availability)
        => AvailabilityTables.ParleyToXmppShow.Map(availability.ToString()) switch
        {
            "unavailable" => new XmppPresenceShow(true, null),
            "available" => new XmppPresenceShow(false, null),
            var show => new XmppPresenceShow(false, show),
        };
}
