namespace Parley.Server.Diagnostics;

public static partial class ParleyEvents
{
    /// <summary>The master's file transfer agent (pushes snapshots to every node): seed 000's "LS File Transfer Agent Service".</summary>
    public const string FileTransferAgentSource = "FileTransferAgent";

    /// <summary>Transfer of snapshots from the CMS master to the nodes: 1015, 1017 and 1020–1039. A 507 from a node is raised here as the replica store's 1034 (its parameters fit).</summary>
    public static partial class Management
    {
        /// <summary>{0} expected host (the node's FQDN in the topology), {1} presented subject, {2} presented DNS SANs, {3} address.</summary>
        public static readonly EventDefinition ReplicaCertificateMismatch = new(
            1015, FileTransferAgentSource, EventLevel.Error,
            "File transfer failed; the file transfer agent will continuously attempt to transfer the files. Reason: Unable to match host/cluster against certificate, host={0}, presented subject={1}, SANs=[{2}] (replica agent at {3})",
            "The replica agent presented a certificate that chains to the deployment CA but names another host: its subject CN and DNS SANs do not include the FQDN the topology gives for this node. Either the node was issued the wrong certificate, or the topology names the node differently from its certificate.",
            "Inspect the certificate the node presents: `openssl s_client -connect <address> -showcerts </dev/null | openssl x509 -noout -subject -ext subjectAltName`. Then either issue the node a certificate whose CN or DNS SAN is the expected host (certificates.certificate/privateKey in its parley.json) and restart it, or correct the node's fqdn in the topology (`parley topology …` / `parley config set topology`) if the topology is what is wrong. `parley replication status --replica <fqdn>` shows when it is UpToDate again.");

        /// <summary>{0} replica FQDN, {1} address (ip:port), {2} reason.</summary>
        public static readonly EventDefinition ReplicaUnreachable = new(
            1017, FileTransferAgentSource, EventLevel.Error,
            "File transfer failed for some replica machines; the file transfer agent will continuously attempt to replicate to these machines. While this condition persists, configuration changes will not be delivered to them. Replica file transfer failures: {0} ({1}): Https destination unavailable: {2}",
            "The master could not open an HTTPS connection to the node's replica agent: the node is down or `parley serve` is not running there, its replica agent listens on another port or address (listeners.replicaAgent), a firewall drops TCP to the port, routing between the master and the node is wrong, or the TLS handshake failed.",
            "On the node, check that `parley serve` runs and prints its replica agent line; from the master test the route with `nc -vz <ip> <port>` (port 4443 by default) and open the port in the firewall between the master and the node; check the node's ip and listeners.replicaAgent in the topology. Then run `parley replication invoke --replica <fqdn>` and `parley replication status`.");

        /// <summary>{0} replica FQDN, {1} number of failed attempts, {2} applied revision, {3} how long it failed.</summary>
        public static readonly EventDefinition ReplicationRecovered = new(
            1020, FileTransferAgentSource, EventLevel.Information,
            "Replication to {0} recovered after {1} failures (applied revision {2}; failing for {3})",
            "The fault reported earlier for this node (unreachable, certificate, store access or refused snapshot) is gone: the latest snapshot was delivered and applied.",
            "No action needed. `parley replication status` shows the node UpToDate.");

        /// <summary>{0} replica FQDN, {1} address, {2} presented subject, {3} issuer, {4} chain problem.</summary>
        public static readonly EventDefinition ReplicaCertificateUntrusted = new(
            1021, FileTransferAgentSource, EventLevel.Error,
            "File transfer to {0} ({1}) failed: its certificate {2} (issuer {3}) does not chain to the deployment CA: {4}",
            "The replica agent presented a certificate that was not issued by the deployment CA (cms.caCertificate on the master), or that has expired. All nodes of a deployment must share one PKI.",
            "Inspect it with `openssl s_client -connect <address> -showcerts </dev/null`; compare the issuer with `openssl x509 -noout -subject -in <cms.caCertificate>`. Issue the node a certificate from the deployment CA (or set cms.caCertificate to the CA that issued it on every node) and restart the node.");

        /// <summary>{0} replica FQDN, {1} revision, {2} rejection reason, {3} detail.</summary>
        public static readonly EventDefinition SnapshotRefusedByReplica = new(
            1022, FileTransferAgentSource, EventLevel.Error,
            "Replica {0} refused snapshot revision {1}: {2}: {3}",
            "The node's replica agent checked the snapshot and rejected it: the bytes were altered or truncated on the way (HashMismatch, Truncated, Malformed), the signature does not verify, the signer is not the master the node expects (NotTheMaster, UntrustedSigner — e.g. the node's cms.master or topology names another master) or the node already holds a newer revision.",
            "Check the node's events (`parley events --data <its data>`) for the matching rejection. For NotTheMaster/UntrustedSigner make cms.master and cms.caCertificate on the node agree with this master; for OlderRevision the node was fed by another master — see docs/design/cms.md \"Moving the master\". Then `parley replication invoke --replica <fqdn>`.");

        /// <summary>{0} replica FQDN, {1} address, {2} what the replica said.</summary>
        public static readonly EventDefinition SenderRefusedByReplica = new(
            1023, FileTransferAgentSource, EventLevel.Error,
            "Replica {0} ({1}) refused this master as sender (HTTP 403): {2}",
            "The node's replica agent does not accept this node's client certificate as the CMS master: the node expects another master (its topology's cms node or its cms.master bootstrap key), or this node's certificate does not chain to the CA the node trusts (its cms.caCertificate).",
            "On the node, set cms.master to this master's FQDN and cms.caCertificate to the deployment CA in parley.json and restart it; check this node's certificate names its FQDN: `openssl x509 -noout -subject -ext subjectAltName -in <certificate>`.");

        /// <summary>{0} remote address, {1} presented subject and SANs (or "no certificate"), {2} expected master, {3} why.</summary>
        public static readonly EventDefinition ReplicaAgentSenderRefused = new(
            1024, ReplicaAgentSource, EventLevel.Warning,
            "Replica agent refused a request from {0} presenting {1}: expected the CMS master {2}: {3}",
            "Only the CMS master may push snapshots or poll status: the client must present a certificate from the deployment CA (cms.caCertificate) whose subject CN or DNS SAN is the master's FQDN (this node's current topology's cms node, else cms.master in parley.json). Another node, a stale master after a move, or a tool without a client certificate tried.",
            "If the sender is the real master, set cms.master in this node's parley.json to its FQDN (and cms.caCertificate to the CA that issued its certificate) and restart. Otherwise find and stop the sender; nothing was applied.");

        /// <summary>{0} replica FQDN, {1} HTTP status or failure, {2} detail.</summary>
        public static readonly EventDefinition ReplicaTransferFailed = new(
            1026, FileTransferAgentSource, EventLevel.Error,
            "File transfer to {0} failed ({1}): {2}; the file transfer agent will continuously retry",
            "The node's replica agent answered, but not with a status report: an internal error, a proxy in the way, or a node running an incompatible Parley version.",
            "Check the node's log and events, that listeners.replicaAgent on the node is Parley's replica agent (not another HTTPS service), and that both run the same Parley version.");

        /// <summary>{0} replica FQDN.</summary>
        public static readonly EventDefinition ReplicaRemovedFromTopology = new(
            1027, FileTransferAgentSource, EventLevel.Information,
            "Replica {0} is no longer in the topology: replication to it stopped and its status is marked deleted",
            "A topology change removed the node; the file transfer agent no longer pushes to it.",
            "No action needed. If the node was removed by mistake, add it back to the topology; `parley replication status --cms` lists deleted replicas.");

        /// <summary>{0} replicas (or "all"), {1} who asked.</summary>
        public static readonly EventDefinition ReplicationInvoked = new(
            1028, FileTransferAgentSource, EventLevel.Information,
            "Replication invoked for {0} by {1}: backoff reset, full snapshot resent",
            "An administrator ran `parley replication invoke` (Invoke-CsManagementStoreReplication's counterpart).",
            "No action needed; `parley replication status` shows the outcome within seconds.");

        /// <summary>{0} this node, {1} the master named by the topology.</summary>
        public static readonly EventDefinition FileTransferAgentStopped = new(
            1029, FileTransferAgentSource, EventLevel.Warning,
            "File transfer agent on {0} stopped: the topology names {1} as the CMS master",
            "The CMS master was moved (`parley replication move-master`): this node applied a revision whose topology gives the cms role to another node, so it no longer replicates and refuses changes.",
            "No action needed if the move was intended. Make changes on the new master; set cms.master in every node's parley.json to it before their next restart.");

        /// <summary>{0} this node, {1} revision, {2} previous master.</summary>
        public static readonly EventDefinition CmsMasterTakenOver = new(
            1030, FileTransferAgentSource, EventLevel.Information,
            "{0} is now the CMS master: store initialised from replica revision {1} (previous master {2}); replicating with its own key",
            "A revision whose topology gives the cms role to this node was applied (`parley replication move-master --to` on the previous master).",
            "Set cms.master to this node in every node's parley.json (and remove it here) before their next restart; make configuration changes on this node.");

        /// <summary>{0} remote address, {1} limit, {2} detail.</summary>
        public static readonly EventDefinition ReplicaAgentRequestRejected = new(
            1031, ReplicaAgentSource, EventLevel.Warning,
            "Replica agent rejected a request from {0}: {1}: {2}",
            "The master's request was not a snapshot this node could read: larger than the 64 MB limit, or an unknown path or method.",
            "Check that the sender is a Parley CMS master of the same version; if the configuration really exceeds 64 MB, reduce static routes or ACL entries.");
    }
}
