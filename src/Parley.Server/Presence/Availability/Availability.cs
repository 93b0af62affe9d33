namespace Parley.Server.Presence.Availability;

/// <summary>
/// The one availability model of the server. Every protocol (XMPP &lt;show/&gt;, SIP/PIDF, Lync federation)
/// maps to and from it through <see cref="AvailabilityMappingTable"/>s.
/// </summary>
public enum Availability
{
    Available,
    Away,
    BeRightBack,
    Busy,
    DoNotDisturb,
    OnThePhone,
    InAMeeting,

    /// <summary>Online but shown to others as offline (invisible).</summary>
    AppearOffline,

    Offline,
}

/// <summary>A user's presence: availability plus the free-text note (XMPP &lt;status/&gt;, PIDF &lt;note/&gt;).</summary>
public sealed record PresenceState(Availability Availability, string? Note)
{
    public static PresenceState Offline { get; } = new(Availability.Offline, null);

    /// <summary>Whether peers see the user as online: invisible users are not.</summary>
    public bool IsVisiblyOnline => Availability is not (Availability.Offline or Availability.AppearOffline);
}
