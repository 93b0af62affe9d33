namespace Parley.Server.Diagnostics;

public static partial class ParleyEvents
{
    /// <summary>The replica replicator agent's local side: 1034 and 1040–1059.</summary>
    public static partial class Management
    {
        /// <summary>Source of the replica agent's events (Lync's "Replica Replicator Agent").</summary>
        public const string ReplicaAgentSource = "ReplicaAgent";

        /// <summary>{0} path, {1} account, {2} missing permission, {3} error text. Seed 000's 1034, on the replica itself.</summary>
        public static readonly EventDefinition ReplicaStoreAccessDenied = new(
            1034, ReplicaAgentSource, EventLevel.Error,
            "Access denied on the replica store {0} for account {1}: {2} permission missing ({3}). Fix: chown -R {1} {0} && chmod -R u+rwX {0}",
            "The node cannot write (or read) its replica store under <data>/xds-replica: the directory or a file in it belongs to another account or lost its write bit, the file system is mounted read-only, or a file stands where a directory is expected. While this lasts the node keeps serving its last good revision and configuration changes do not reach it.",
            "Give the account parley runs as read and write access to the path in the message (the message gives the chown/chmod commands), remount the file system read-write, or move a stray file out of the way. Then run `parley replication invoke --replica <this node>` on the master (or wait for the next push); a recovery event follows.");

        /// <summary>{0} revision (or "unknown"), {1} reason, {2} detail, {3} where it came from.</summary>
        public static readonly EventDefinition SnapshotRejected = new(
            1040, ReplicaAgentSource, EventLevel.Error,
            "Configuration snapshot of revision {0} rejected ({1}): {2}. Received from {3}; nothing was applied",
            "A snapshot failed verification: it was cut short in transfer (Truncated), altered (HashMismatch, BadSignature), signed by a certificate the deployment CA did not issue (UntrustedSigner) or by a node that is not the CMS master (NotTheMaster), is not a snapshot (Malformed), or is older than the revision this node holds (OlderRevision). The node keeps its current revision.",
            "Truncated: retry (`parley replication invoke`); check disk space and the network path. HashMismatch or BadSignature: something altered the file; find out what before retrying. UntrustedSigner or NotTheMaster: check cms.caCertificate and cms.master in parley.json and the master's node certificate. OlderRevision: a stale copy was sent; no action unless it repeats.");

        /// <summary>{0} revision, {1} master, {2} created (UTC), {3} received from, {4} previous revision.</summary>
        public static readonly EventDefinition ReplicaRevisionApplied = new(
            1041, ReplicaAgentSource, EventLevel.Information,
            "Replica applied revision {0} from master {1} (created {2}, received from {3}); previous revision {4}",
            "A verified configuration snapshot was stored under <data>/xds-replica and the running node switched to it without restart.",
            "No action needed. `parley replication status` shows what this node holds.");

        /// <summary>{0} store path, {1} the unusable revision (or "current"), {2} the problem, {3} the revision served instead (0 = none).</summary>
        public static readonly EventDefinition ReplicaStoreFellBack = new(
            1042, ReplicaAgentSource, EventLevel.Warning,
            "Replica store {0}: {1} is unusable ({2}); serving revision {3} instead",
            "The revision the replica store's 'current' pointer names is missing, damaged or fails verification (a disk error, an edit by hand, or a deployment CA that changed), so the node loaded the newest older revision that still verifies. Revision 0 means none verified: the node serves no domain until the master sends a snapshot.",
            "No action is needed to recover: the next snapshot from the master replaces it (`parley replication invoke --replica <this node>` on the master sends one now). Check the disk (dmesg, smartctl) if files keep getting damaged.");

        /// <summary>{0} time since the last contact, {1} last contact (UTC), {2} revision held.</summary>
        public static readonly EventDefinition ReplicaStale = new(
            1043, ReplicaAgentSource, EventLevel.Warning,
            "No contact with the CMS master for {0} (last {1}); still serving revision {2}",
            "The CMS master has neither pushed a snapshot nor polled this node's status for longer than the staleness limit: the master is down, unreachable from here (firewall, routing, port 4443), or no longer lists this node in its topology. The node keeps serving its last good revision, but configuration changes do not reach it.",
            "Check the master: `parley replication status` on it shows this node's last error (event 1017 or 1015 there names the fault). If the master is gone for good, move the master role to another node. A recovery event follows once the master is heard from again.");

        /// <summary>{0} how long contact was lost, {1} revision held.</summary>
        public static readonly EventDefinition ReplicaMasterContactRestored = new(
            1044, ReplicaAgentSource, EventLevel.Information,
            "Contact with the CMS master restored after {0}; holding revision {1}",
            "The CMS master pushed a snapshot or polled this node's status again after a period of staleness.",
            "No action needed. Check `parley replication status` on the master shows this node UpToDate.");

        /// <summary>{0} store path, {1} revision now held.</summary>
        public static readonly EventDefinition ReplicaStoreAccessRestored = new(
            1045, ReplicaAgentSource, EventLevel.Information,
            "Replica store {0} is writable again; holding revision {1}",
            "An earlier access-denied failure (event 1034) on the replica store was resolved: a write succeeded.",
            "No action needed.");
    }
}
