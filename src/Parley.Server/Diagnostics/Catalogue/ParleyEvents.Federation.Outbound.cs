namespace Parley.Server.Diagnostics;

public static partial class ParleyEvents
{
    /// <summary>3630–3669: the outbound side (static routes, failover, the SIP↔XMPP gateway with the peer).</summary>
    public static partial class Federation
    {
        /// <summary>{0} domain, {1} recipient.</summary>
        public static readonly EventDefinition NoStaticRoute = new(
            3630, FederationSource, EventLevel.Warning,
            "No static route for domain {0}: {1} cannot be reached on the federation peer",
            "Federation is enabled and the recipient is not a local user of a domain shared with the peer (or is in a SIP federation domain), but no static route pattern matches the domain, so Parley does not know where the peer is.",
            "Add a route to the peer: `parley federation route add --pattern {0} --next-hop <peer FQDN or IP> --port 5061 --transport tls` (check with `parley federation route list`). Repeats for the same domain are not logged for 5 minutes.");

        /// <summary>{0} method, {1} route pattern, {2} next hop, {3} request URI.</summary>
        public static readonly EventDefinition PeerRequestTimeout = new(
            3631, FederationSource, EventLevel.Warning,
            "SIP 408 on {0} toward the federation peer: route {1}, next hop {2} did not answer ({3})",
            "The next hop of the static route accepted no answer within the SIP transaction timeout: the peer server is down, overloaded, or a firewall drops SIP between the servers.",
            "Check that the peer (Lync/Skype front end, Kamailio…) runs and listens on that address and port, that the firewall lets SIP through both ways, and that the peer's own static route and trusted host entries point back at Parley. A backup route (`--priority 2`) takes over meanwhile.");

        /// <summary>{0} next hop, {1} route pattern, {2} reason.</summary>
        public static readonly EventDefinition NextHopDown = new(
            3632, FederationSource, EventLevel.Warning,
            "Federation next hop {0} (route {1}) is down: {2}",
            "A request to the next hop failed to connect, hit a transport error, timed out (408) or was answered 503. Parley stops using it for new requests and probes it with OPTIONS until it answers.",
            "Check the peer server at that address (service running, port, TLS certificate, firewall). Nothing is needed on Parley: the next hop is used again as soon as it answers a probe (event 3634).");

        /// <summary>{0} route pattern, {1} failed next hop, {2} backup next hop, {3} backup priority.</summary>
        public static readonly EventDefinition FailoverToBackup = new(
            3633, FederationSource, EventLevel.Warning,
            "Federation route {0}: next hop {1} failed, request sent to backup {2} (priority {3})",
            "The preferred next hop of the static route is down; a route with the same pattern and a higher priority number took the request.",
            "Restore the preferred next hop (see event 3632); traffic returns to it by itself once it answers the OPTIONS probes.");

        /// <summary>{0} next hop, {1} route pattern.</summary>
        public static readonly EventDefinition NextHopBack = new(
            3634, FederationSource, EventLevel.Information,
            "Federation next hop {0} (route {1}) answers again; new requests use it",
            "An OPTIONS probe to a next hop marked down was answered.",
            "Nothing to do: requests go to it again. If it keeps going down and coming back (events 3632/3634 alternate), check the peer's load and the network path between the servers.");

        /// <summary>{0} local user, {1} peer user, {2} status, {3} reason phrase.</summary>
        public static readonly EventDefinition PeerSubscriptionFailed = new(
            3635, FederationSource, EventLevel.Warning,
            "Presence subscription of {0} to the federation peer user {1} failed: {2} {3}",
            "The peer did not accept the SUBSCRIBE (the user is not enabled there, the peer does not trust Parley, or it could not be reached). The XMPP user sees the contact offline.",
            "403/404: check that the user exists and is enabled for presence on the peer, and that the peer trusts Parley (its static route and trusted host/ACL entries for this node). 408/503: see events 3631/3632. Parley retries unreachable peers by itself.");

        /// <summary>{0} local sender, {1} peer recipient, {2} status, {3} reason phrase.</summary>
        public static readonly EventDefinition PeerMessageFailed = new(
            3636, FederationSource, EventLevel.Warning,
            "Instant message from {0} to the federation peer user {1} failed: {2} {3}",
            "The peer refused or could not take the message or the IM session INVITE; the sender got an error.",
            "480/404: the user is offline or unknown on the peer. 403/488: check that the route's flavour matches the peer (`--flavour lync` for session-mode IM, `generic` for page mode) and that the peer trusts Parley. 408/503: see events 3631/3632.");
    }
}
