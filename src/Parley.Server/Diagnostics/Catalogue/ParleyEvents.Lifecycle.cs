namespace Parley.Server.Diagnostics;

public static partial class ParleyEvents
{
    /// <summary>3400–3499: node start, stop and configuration.</summary>
    public static class Lifecycle
    {
        /// <summary>{0} node FQDN, {1} roles, {2} listeners.</summary>
        public static readonly EventDefinition NodeStarted = new(
            3400, NodeSource, EventLevel.Information,
            "Node {0} started with roles {1}, listening on {2}",
            "The node finished starting and accepts connections.",
            "No action needed.");

        /// <summary>{0} node FQDN, {1} reason.</summary>
        public static readonly EventDefinition NodeStopped = new(
            3401, NodeSource, EventLevel.Information,
            "Node {0} stopped: {1}",
            "The node was asked to stop (SIGINT/SIGTERM) or stopped after a fatal error.",
            "If the stop was not planned, look for an earlier error event and start the node again.");

        /// <summary>{0} revision, {1} description of the newest change.</summary>
        public static readonly EventDefinition ConfigurationRevisionApplied = new(
            3402, NodeSource, EventLevel.Information,
            "Configuration revision {0} applied: {1}",
            "The deployment settings changed (through the CLI or another tool) and the running node picked the change up.",
            "No action needed. Review the change with `parley settings history`.");

        /// <summary>{0} node FQDN, {1} reason.</summary>
        public static readonly EventDefinition NodeStartFailed = new(
            3403, NodeSource, EventLevel.Critical,
            "Node {0} could not start: {1}",
            "A listener could not bind (port in use, address not on this machine), the store could not be opened, or the certificate is unusable.",
            "Fix what the message names (free the port or choose another with --xmpp-port, check --bind and the data directory) and start the node again.");

        /// <summary>{0} endpoint, {1} reason.</summary>
        public static readonly EventDefinition ListenerBindFailed = new(
            3404, NodeSource, EventLevel.Error,
            "Cannot listen on {0}: {1}",
            "Another program uses the port, the address is not configured on this machine, or ports below 1024 need privileges.",
            "Find the program holding the port (`ss -ltnp`), stop it or choose another port; check the bind address exists (`ip addr`).");
    }
}
