namespace Parley.Server.Diagnostics;

public static partial class ParleyEvents
{
    /// <summary>3600–3629: the inbound side of federation (incoming ACL, TLS peer authentication, loops, peer listeners).</summary>
    public static partial class Federation
    {
        /// <summary>{0} source address, {1} From address, {2} method.</summary>
        public static readonly EventDefinition UpstreamNotTrusted = new(
            3600, FederationSource, EventLevel.Warning,
            "ACL - upstream not trusted - need to authenticate: {2} from {0} with From {1} (a hosted domain, no local account) was challenged",
            "Federation is enabled and a request whose From is a user of a hosted domain without a Parley account came from an address the incoming ACL does not cover, and not over the peer-auth TLS listener. If it is the federation peer, its users' requests are challenged and fail.",
            "If the source is the peer SIP server, add its address, network or DNS name with `parley federation acl add ADDRESS`, or have the peer connect over mutual TLS to the peer-auth listener (`parley federation tls-listener set --peer-auth`) with its certificate CN in `parley federation peer-subject add`. Otherwise ignore it: someone is sending as a user of your domain.");

        /// <summary>{0} source address, {1} milliseconds taken.</summary>
        public static readonly EventDefinition AclCheckSlow = new(
            3601, FederationSource, EventLevel.Warning,
            "incoming ACL check took over 2 seconds – check DNS: source {0} ({1} ms)",
            "An incoming ACL entry is a DNS name, and resolving it or the source address's reverse DNS (PTR) was slow or timed out (2 s per lookup). Requests from that source wait for the check; a timed-out lookup counts as no match.",
            "Check the DNS servers of this node (/etc/resolv.conf) and that the source address has a PTR record; or list the peer by IP address or network in the incoming ACL (`parley federation acl add 10.0.0.5`) so no DNS is needed.");

        /// <summary>{0} Request-URI, {1} source, {2} loops rejected so far on this node.</summary>
        public static readonly EventDefinition LoopRejected = new(
            3602, FederationSource, EventLevel.Warning,
            "Loop rejected: the federation peer {1} sent a request for {0}, who is not a user of this server; answered 404 ({2} rejected since start)",
            "In a shared domain each server sends users it does not host to the other (basic routing). A request for a user neither side hosts comes back here; it is answered 404 and never routed out again, which ends the loop.",
            "Nothing if the user really does not exist. If the user should exist, provision them on one side (`parley user add`), or check that the peer hosts them and its static routes are right.");

        /// <summary>{0} method, {1} source, {2} From address.</summary>
        public static readonly EventDefinition PeerRegistrationRefused = new(
            3603, FederationSource, EventLevel.Warning,
            "{0} from the federation peer {1} for {2} refused (403): peer users register and publish on their own server",
            "A trusted federation peer sent REGISTER or PUBLISH; its users' registrations and presence belong to the peer, and Parley does not take them over the federation link.",
            "Check the peer's routing: it should not forward REGISTER or PUBLISH to Parley. Users homed on Parley register with Parley directly (with their own credentials).");

        /// <summary>{0} who (client/server and address), {1} the certificate's subject, {2} its issuer, {3} trusted peer CAs.</summary>
        public static readonly EventDefinition PeerCertificateUntrusted = new(
            3604, FederationSource, EventLevel.Error,
            "TLS peer {0} rejected: certificate {1} issued by {2} does not chain to a trusted peer CA (expected one of: {3})",
            "The federation peer's certificate was issued by a CA that is not in the trusted peer CA file (bootstrap certificates.trustedPeerCa, default the deployment CA), or its chain is incomplete. The TLS handshake was failed.",
            "Add the CA certificate that issued the peer's certificate (PEM) to the file named by certificates.trustedPeerCa on every node and restart, or have the peer use a certificate from a CA already trusted.");

        /// <summary>{0} who, {1} subject, {2} not before, {3} not after, {4} now.</summary>
        public static readonly EventDefinition PeerCertificateOutOfDate = new(
            3605, FederationSource, EventLevel.Error,
            "TLS peer {0} rejected: certificate {1} is valid from {2} to {3}, not at {4}",
            "The federation peer's certificate has expired or is not valid yet (or one of the clocks is wrong). The TLS handshake was failed.",
            "Renew the peer's certificate, or correct the clock of the peer or of this node (check NTP).");

        /// <summary>{0} who, {1} subject, {2} EKUs present.</summary>
        public static readonly EventDefinition PeerCertificateUsage = new(
            3606, FederationSource, EventLevel.Error,
            "TLS peer {0} rejected: certificate {1} has extended key usages [{2}]; federation needs both serverAuth and clientAuth",
            "Federation peers use one certificate as TLS server and as TLS client, so it must carry both the serverAuth and clientAuth extended key usages. The TLS handshake was failed.",
            "Reissue the peer's certificate from a template that includes both Server Authentication (1.3.6.1.5.5.7.3.1) and Client Authentication (1.3.6.1.5.5.7.3.2).");

        /// <summary>{0} who, {1} subject CN presented, {2} allowed subjects.</summary>
        public static readonly EventDefinition PeerSubjectNotAllowed = new(
            3607, FederationSource, EventLevel.Error,
            "TLS peer {0} rejected: certificate subject CN '{1}' is not a TLS peer subject (allowed: {2})",
            "The federation peer's certificate is valid, but its subject common name is not in tlsPeerSubjects. Subject alternative names are not used for this check. The TLS handshake was failed.",
            "Add the peer's certificate CN with `parley federation peer-subject add CN`, or have the peer present the certificate whose CN is listed.");

        /// <summary>{0} who.</summary>
        public static readonly EventDefinition PeerCertificateMissing = new(
            3608, FederationSource, EventLevel.Error,
            "TLS peer {0} rejected: it presented no certificate",
            "The peer-auth TLS listener requires a client certificate (mutual TLS) and the client sent none; SIP clients use the server-auth TLS listener instead.",
            "Configure the peer to present its certificate for TLS (mutual TLS), or point SIP clients at the server-auth TLS port (listeners.sipTls, 5062 by default).");

        /// <summary>{0} file, {1} reason.</summary>
        public static readonly EventDefinition PeerCaUnreadable = new(
            3609, FederationSource, EventLevel.Error,
            "Trusted peer CA file {0} cannot be used: {1}; no TLS peer can be authenticated",
            "The file named by certificates.trustedPeerCa (default the deployment CA: cms.caCertificate, else <data>/certs/ca.pem) is missing, unreadable or holds no PEM certificate.",
            "Put the PEM certificate(s) of the CA(s) that issue the peers' certificates in that file, or correct certificates.trustedPeerCa in the bootstrap file.");

        /// <summary>{0} endpoint, {1} reason.</summary>
        public static readonly EventDefinition PeerListenerFailed = new(
            3610, FederationSource, EventLevel.Error,
            "Cannot listen for federation peers (mutual TLS) on {0}: {1}",
            "The peer-auth TLS listener named for this node in tlsListeners could not be bound: another program uses the port, or the address is not on this machine.",
            "Free the port or choose another with `parley federation tls-listener set --node FQDN --port N --peer-auth`; the listener is bound as soon as the configuration changes.");

        /// <summary>{0} endpoint.</summary>
        public static readonly EventDefinition PeerListenerStarted = new(
            3611, FederationSource, EventLevel.Information,
            "Listening for federation peers (mutual TLS) on {0}",
            "tlsListeners names a peer-auth (mutualTls) listener for this node, so it was bound, at start or after a configuration change.",
            "None. Peers connect to this port with a certificate from a trusted peer CA whose CN is a TLS peer subject.");

        /// <summary>{0} endpoint.</summary>
        public static readonly EventDefinition PeerListenerStopped = new(
            3612, FederationSource, EventLevel.Information,
            "Stopped listening for federation peers on {0}",
            "The peer-auth listener of this node was removed from tlsListeners (or moved to another port). Connections already open stay open until they close.",
            "None, unless peers must still reach this node over mutual TLS: add the listener back with `parley federation tls-listener set --peer-auth`.");

        /// <summary>{0} domain, {1} peer address, {2} method.</summary>
        public static readonly EventDefinition DomainOnPeerOnly = new(
            3613, FederationSource, EventLevel.Warning,
            "Domain {0} is configured on the federation peer {1} but not on Parley: {2} for it answered 404",
            "Partitioned federation needs every shared domain configured on both servers (a subdomain is a different domain). The peer routes users of the domain it does not host here, but Parley does not host the domain, so its users can exchange neither presence nor IM with Parley users.",
            "Add the domain on Parley (`parley domain add DOMAIN`) if it is shared, or remove it from the peer's static route to Parley if it is not.");
    }
}
