namespace Parley.Server.Diagnostics;

public static partial class ParleyEvents
{
    /// <summary>3200–3299: limits reached (policy from the seeds, and protection against hostile input).</summary>
    public static class Limits
    {
        /// <summary>{0} user, {1} limit, {2} contact refused.</summary>
        public static readonly EventDefinition ContactListLimitReached = new(
            3200, LimitsSource, EventLevel.Warning,
            "{0} reached the contact list limit of {1}; adding {2} was refused",
            "The user's contact list holds the maximum number of contacts allowed by the presence settings.",
            "Ask the user to remove contacts they no longer need, or raise the limit with `parley settings presence set --max-contacts N` (or `unlimited`).");

        /// <summary>{0} user, {1} limit, {2} watcher refused.</summary>
        public static readonly EventDefinition WatcherLimitReached = new(
            3201, LimitsSource, EventLevel.Warning,
            "{0} reached the watcher limit of {1}; the subscription from {2} was refused",
            "As many contacts as the presence settings allow already watch this user's presence.",
            "Raise the limit with `parley settings presence set --max-watchers N` (or `unlimited`) if such popular users are expected.");

        /// <summary>{0} user, {1} queue size, {2} sender.</summary>
        public static readonly EventDefinition OfflineQueueFull = new(
            3202, LimitsSource, EventLevel.Warning,
            "Offline message queue of {0} is full ({1} messages); a message from {2} was returned to the sender",
            "The user has not logged in for a while and the per-user offline queue is at its limit.",
            "Ask the user to log in to receive the queued messages; the sender got an error and may resend later.");

        /// <summary>{0} client address, {1} limit in bytes.</summary>
        public static readonly EventDefinition StanzaTooLarge = new(
            3203, LimitsSource, EventLevel.Warning,
            "Stream from {0} closed: a stanza exceeded {1} bytes",
            "The client sent a stanza larger than the XMPP limit: a misbehaving client, an oversized file sent inline, or an attack.",
            "If a legitimate client hits this, have it use file transfer (HTTP upload) instead of inline data; repeated events from one address suggest an attack.");

        /// <summary>{0} client address, {1} the violation.</summary>
        public static readonly EventDefinition StreamPolicyViolation = new(
            3204, LimitsSource, EventLevel.Warning,
            "Stream from {0} closed for a policy violation: {1}",
            "The client broke a stream rule: malformed XML, a DTD or entity declaration, too deep nesting, or sending too slowly.",
            "Usually a broken or hostile client: check which software runs at that address; nothing to fix on the server.");

        /// <summary>{0} client address, {1} open connections, {2} limit.</summary>
        public static readonly EventDefinition TooManyConnections = new(
            3205, LimitsSource, EventLevel.Warning,
            "Connection from {0} refused: {1} connections open (limit {2})",
            "The node reached its connection limit, overall or for this address.",
            "Add nodes to the pool or raise the limit if the load is legitimate; if one address opens many connections, find out why.");
    }
}
