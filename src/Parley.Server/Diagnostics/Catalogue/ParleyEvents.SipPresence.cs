namespace Parley.Server.Diagnostics;

public static partial class ParleyEvents
{
    public const string SipPresenceSource = "SipPresence";

    /// <summary>3550–3599: the SIP presence server (SUBSCRIBE/NOTIFY, PUBLISH). Watcher limits reuse <see cref="Limits"/>.</summary>
    public static class SipPresence
    {
        /// <summary>{0} watcher, {1} presentity, {2} SIP status, {3} reason.</summary>
        public static readonly EventDefinition SubscriptionRefused = new(
            3550, SipPresenceSource, EventLevel.Warning,
            "SUBSCRIBE from {0} for {1} refused with {2}: {3}",
            "The subscription asked for something Parley does not serve: an event package other than presence, a body format other than application/pidf+xml, an expiry below the minimum, or a presentity in a domain this deployment does not host.",
            "Configure the client to subscribe to the 'presence' event with Accept: application/pidf+xml and an expiry of at least 60 s; the response's Allow-Events, Accept or Min-Expires header says what is accepted.");

        /// <summary>{0} watcher, {1} presentity, {2} what happened, {3} consecutive failures.</summary>
        public static readonly EventDefinition NotifyFailed = new(
            3551, SipPresenceSource, EventLevel.Warning,
            "NOTIFY to {0} about {1} failed ({2}); {3} consecutive failures, the subscription is kept and retried at the next change",
            "The watcher's client did not answer the presence notification in time or answered with an error: it is offline, behind a NAT that closed its mapping, or its connection dropped.",
            "Usually transient: the client refreshes its subscription when it comes back. If it repeats for one client, check its network path (NAT keep-alives, firewall) to the SIP port.");

        /// <summary>{0} watcher, {1} presentity, {2} consecutive failures, {3} last failure.</summary>
        public static readonly EventDefinition SubscriptionAbandoned = new(
            3552, SipPresenceSource, EventLevel.Warning,
            "Subscription of {0} to {1} terminated after {2} failed NOTIFYs (last: {3})",
            "The watcher has been unreachable for several presence changes in a row, so Parley stopped sending it notifications rather than retrying forever.",
            "Nothing to do on the server: the client subscribes again when it is back. If it never comes back, check that its address and transport are reachable from this node.");

        /// <summary>{0} watcher, {1} presentity.</summary>
        public static readonly EventDefinition SubscriptionGoneAtWatcher = new(
            3553, SipPresenceSource, EventLevel.Information,
            "Subscription of {0} to {1} removed: the watcher no longer knows it (481)",
            "The watcher's client restarted or dropped the dialog without unsubscribing; it answered a NOTIFY with 481 Call/Transaction Does Not Exist.",
            "None: the subscription was removed as RFC 6665 requires; the client subscribes again when it needs the presence.");

        /// <summary>{0} publisher, {1} presentity, {2} SIP status, {3} reason.</summary>
        public static readonly EventDefinition PublicationRejected = new(
            3554, SipPresenceSource, EventLevel.Warning,
            "PUBLISH from {0} for {1} rejected with {2}: {3}",
            "The publication could not be accepted: a user publishing someone else's presence, a body that is not valid PIDF, an unknown or expired entity tag, or an event package other than presence.",
            "For 412 the client publishes again without SIP-If-Match, which it does on its own. For 403 or 400 check the client's account settings (its address must be its own) and its presence format.");

        /// <summary>{0} restored subscriptions, {1} expired subscriptions removed.</summary>
        public static readonly EventDefinition SubscriptionsRestored = new(
            3555, SipPresenceSource, EventLevel.Information,
            "SIP presence restored {0} subscriptions after start and removed {1} that expired while the node was down",
            "Watchers' subscriptions are stored so a restart does not leave them without presence until their next refresh.",
            "None; every restored watcher was sent the current presence.");

        /// <summary>{0} watcher, {1} limit, {2} presentity.</summary>
        public static readonly EventDefinition SubscriptionLimitReached = new(
            3556, SipPresenceSource, EventLevel.Warning,
            "{0} holds {1} SIP presence subscriptions, the maximum; the one for {2} was refused",
            "One watcher opened as many presence subscriptions (dialogs) as allowed: a client that subscribes again without ending old dialogs, or a flood.",
            "Find the client that keeps opening new subscriptions (it should refresh the existing dialog instead); raise the limit only if one user legitimately watches that many contacts from many devices.");
    }
}
