namespace Parley.Server.Diagnostics;

public static partial class ParleyEvents
{
    public const string SipSource = "Sip";

    /// <summary>3500–3549: SIP server core (authentication, registrar, messaging, transport).</summary>
    public static class Sip
    {
        /// <summary>{0} user, {1} source address, {2} method, {3} reason.</summary>
        public static readonly EventDefinition DigestFailed = new(
            3500, SipSource, EventLevel.Warning,
            "SIP digest authentication failed for {0} from {1} ({2}): {3}",
            "The SIP client sent a wrong password, or a digest response computed for another realm or request.",
            "Check the client's SIP account settings: user name = the part before @, domain/realm = the user's domain, and the password. Reset it with `parley user passwd <jid>` if unsure. Many failures from one address: see event 3503.");

        /// <summary>{0} user name the client gave, {1} source address, {2} method.</summary>
        public static readonly EventDefinition UnknownUser = new(
            3501, SipSource, EventLevel.Warning,
            "SIP request from unknown user {0} at {1} ({2}) refused",
            "The client authenticates as a user this deployment does not have (a typo, a removed account, or a user homed on the peer server).",
            "Check the address with `parley user list`; create the user with `parley user add`, or point the client at the server that hosts the user.");

        /// <summary>{0} user, {1} source address.</summary>
        public static readonly EventDefinition NoSipCredentials = new(
            3502, SipSource, EventLevel.Warning,
            "{0} cannot use SIP from {1}: the account has no SIP digest credentials",
            "The password was set before this Parley version added SIP; only SIP digest values derived when a password is set are stored, never the password.",
            "Reset the user's password with `parley user passwd <jid>` (or re-import with --update-passwords); the new password works for XMPP and SIP.");

        /// <summary>{0} failure count, {1} source address, {2} window in seconds.</summary>
        public static readonly EventDefinition RepeatedFailures = new(
            3503, SipSource, EventLevel.Warning,
            "{0} SIP failures (authentication or malformed messages) from {1} within {2} s; further ones from this address are not logged until the window ends",
            "One address keeps failing SIP digest authentication or sending malformed messages: a phone with a stale saved password, password guessing, or a scanner.",
            "Find the device at that address and fix its saved password, or block the address at the firewall if it is not one of yours.");

        /// <summary>{0} user, {1} source address, {2} method.</summary>
        public static readonly EventDefinition DisabledAccount = new(
            3504, SipSource, EventLevel.Warning,
            "SIP request from disabled account {0} at {1} ({2}) refused",
            "The account exists but is disabled (for example during a migration to or from the peer server).",
            "If the user should use Parley, run `parley user enable <jid>`; otherwise reconfigure the client for the server that now hosts the user.");

        /// <summary>{0} authenticated user, {1} From address, {2} source address.</summary>
        public static readonly EventDefinition IdentityMismatch = new(
            3505, SipSource, EventLevel.Warning,
            "SIP request authenticated as {0} but sent From {1} at {2}; refused (403)",
            "The client's From address (its SIP URI) differs from the account it authenticates with.",
            "Configure the client with the same user for its SIP address and its authentication user name.");

        /// <summary>{0} source address, {1} transport, {2} reason, {3} status answered (or 'none').</summary>
        public static readonly EventDefinition MalformedMessage = new(
            3506, SipSource, EventLevel.Warning,
            "Malformed SIP message from {0} over {1}: {2} (answered {3})",
            "A client or network device sent bytes that are not a valid SIP message, or a message above the limits.",
            "Check the device at that address (firmware, SIP ALG on a router that rewrites SIP). Repeated from an unknown address: a scanner, block it.");

        /// <summary>{0} destination, {1} method, {2} reason.</summary>
        public static readonly EventDefinition TransportError = new(
            3507, SipSource, EventLevel.Warning,
            "SIP {1} to {0} could not be sent: {2}",
            "The destination refused the connection, is unreachable, or the name does not resolve.",
            "Check the destination is up and reachable from this node (firewall, DNS). For a registered client, it has probably left the network without unregistering.");

        /// <summary>{0} destination, {1} method, {2} request URI.</summary>
        public static readonly EventDefinition RequestTimeout = new(
            3508, SipSource, EventLevel.Warning,
            "SIP {1} to {2} at {0} timed out (408): no answer",
            "Nothing answered the request within SIP timer B/F (32 s by default): the destination is down, or a firewall or NAT drops the traffic.",
            "Check the destination at that address is running and reachable from this node on that transport and port; for clients behind NAT use TCP or shorter registration intervals.");

        /// <summary>{0} user, {1} source address, {2} limit.</summary>
        public static readonly EventDefinition BindingLimitReached = new(
            3509, SipSource, EventLevel.Warning,
            "{0} at {1} reached the limit of {2} registered SIP contacts; the new registration was refused",
            "The user registers more devices (or one device under changing contact addresses) than the registrar allows.",
            "Remove stale registrations by unregistering the old devices, or raise SipServerOptions.MaxBindingsPerUser if users really have that many devices.");

        /// <summary>{0} host in the request, {1} source address, {2} method.</summary>
        public static readonly EventDefinition DomainNotServed = new(
            3510, SipSource, EventLevel.Information,
            "SIP {2} for domain {0} from {1} refused (404): the domain is not hosted here",
            "The request is addressed to a domain this deployment does not host; SIP federation is not configured yet.",
            "Add the domain with `parley domain add <domain>` if it should be hosted here; otherwise fix the client's domain setting.");

        /// <summary>{0} request URI, {1} source address, {2} Via branch.</summary>
        public static readonly EventDefinition LoopDetected = new(
            3511, SipSource, EventLevel.Warning,
            "SIP request for {0} from {1} looped back to this node (branch {2}); refused (482)",
            "A route sends the request back here: a static route or the peer's route points at this node for a user neither side hosts.",
            "Check the static routes of both servers; the user may be provisioned on neither side.");

        /// <summary>{0} user, {1} message id.</summary>
        public static readonly EventDefinition MessageStoredOffline = new(
            3512, SipSource, EventLevel.Information,
            "No registered SIP contact of {0} accepted message {1}; it was stored offline",
            "All of the user's registered devices failed to take a MESSAGE (timeout, 480 or transport error).",
            "Nothing to do: the message is delivered at the user's next registration or login. Frequent: check the devices' network (NAT, firewall).");

        /// <summary>{0} listener (transport and address), {1} reason.</summary>
        public static readonly EventDefinition ListenerFailed = new(
            3513, SipSource, EventLevel.Error,
            "SIP listener {0} could not start: {1}",
            "The port is in use by another program, the address is not on this machine, or the port needs privileges.",
            "Stop the other program, or choose other ports with --sip-port/--sips-port or listeners.sip/listeners.sipTls (0 disables).");

        /// <summary>{0} requests in progress (the limit), {1} source address of the first refused request.</summary>
        public static readonly EventDefinition Overloaded = new(
            3514, SipSource, EventLevel.Warning,
            "SIP overload: {0} requests already in progress; new requests are answered 503 with Retry-After, requests inside existing dialogs are still served (first refused from {1})",
            "More requests arrive than the node finishes: a flood from one or more sources, or more clients than the node can serve.",
            "If it is a flood, block the source at the firewall (the transport already limits one UDP source to sipTransport udpPerSourceRate). If it is real load, add nodes, or on a larger machine raise sip.maxConcurrentRequests in the bootstrap file (parley.json; sip.inDialogReserve is the further room kept for requests inside dialogs).");

        /// <summary>{0} transport and remote address of the connection.</summary>
        public static readonly EventDefinition SlowReaderClosed = new(
            3515, SipSource, EventLevel.Warning,
            "SIP connection {0} closed: the other side did not read what was sent to it in time",
            "A write stayed blocked past the write timeout, or more than the pending-output limit waited to be written: the other side stopped reading (hung, overloaded, or a client that never reads), or this node could not write fast enough.",
            "Check the other side's health and load. Requests sent on the connection fail with 503 and are retried by their senders; a federation route fails over to its backup. If the other side is a busy trunk (peer, routing node) and healthy, check this node's CPU.");
    }
}
