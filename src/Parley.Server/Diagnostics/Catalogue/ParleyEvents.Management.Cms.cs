namespace Parley.Server.Diagnostics;

public static partial class ParleyEvents
{
    /// <summary>The CMS store (master): 1002–1009.</summary>
    public static partial class Management
    {
        /// <summary>Source of the CMS store's events (Lync's "Central Management Store").</summary>
        public const string CmsSource = "CmsStore";

        /// <summary>{0} actor, {1} description of the change, {2} error count, {3} the errors (field: problem. Fix: …).</summary>
        public static readonly EventDefinition ConfigurationChangeRefused = new(
            1002, CmsSource, EventLevel.Warning,
            "Configuration change by {0} ({1}) refused: {2} error(s): {3}",
            "A change to the deployment configuration would have made it invalid (a port used twice, an unknown pool or node, a malformed route pattern or address…). The whole configuration is validated before a change is accepted; nothing was written and the revision did not move.",
            "Correct the fields named in the message (each error gives the fix) and make the change again. `parley config show NAME` prints the current document.");

        /// <summary>{0} actor, {1} description of the change, {2} the CMS master's FQDN.</summary>
        public static readonly EventDefinition ConfigurationChangeOnReplica = new(
            1003, CmsSource, EventLevel.Warning,
            "Configuration change by {0} ({1}) refused: this node is not the CMS master; the master is {2}",
            "Configuration is changed on the CMS master only and replicated from there; a node that is not the master holds a read-only replica (bootstrap cms.master names the master).",
            "Make the change on the master (run the command there, or use the master's admin API). To make this node the master, follow `parley replication move-master`.");

        /// <summary>{0} revision, {1} content hash, {2} size in bytes, {3} milliseconds to build and sign.</summary>
        public static readonly EventDefinition SnapshotBuilt = new(
            1004, CmsSource, EventLevel.Information,
            "Configuration snapshot of revision {0} built and signed ({1}, {2} bytes, {3} ms)",
            "The CMS master saw a new configuration revision and made its signed snapshot, which the file transfer agents push to every node of the topology.",
            "No action needed. `parley replication status` shows which replicas applied it.");

        /// <summary>{0} revision, {1} reason.</summary>
        public static readonly EventDefinition SnapshotBuildFailed = new(
            1005, CmsSource, EventLevel.Error,
            "Configuration snapshot of revision {0} could not be built: {1}",
            "The CMS master could not read the store, or could not sign with its node certificate (no private key, unsupported key type), or the snapshot exceeds the size limit. Replicas keep their current revision.",
            "Fix what the message names: check the master's node certificate and key (certificates.certificate/privateKey in parley.json), the data directory, or remove unused static routes and ACL entries. The master retries on the next change or restart.");
    }
}
