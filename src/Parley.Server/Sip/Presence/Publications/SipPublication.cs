using Parley.Server.Presence.Availability;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Sip.Presence.Publications;

/// <summary>
/// One presence publication (RFC 3903 §4): what a device of <paramref name="Publisher"/> published, under the
/// entity tag that names its current version, until it expires. The state is kept in the canonical model; the PIDF
/// body is not: watchers get documents composed from all of the user's resources anyway.
/// </summary>
public sealed record SipPublication(string ETag, Jid Publisher, PresenceState State, DateTimeOffset Modified, DateTimeOffset Expires);
