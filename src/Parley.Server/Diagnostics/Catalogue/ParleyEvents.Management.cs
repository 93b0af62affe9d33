namespace Parley.Server.Diagnostics;

public static partial class ParleyEvents
{
    /// <summary>1000–1999. IDs 1015, 1017 and 1034 are reserved for the replication issue (seed 000 names).</summary>
    public static partial class Management
    {
        /// <summary>{0} revision, {1} actor, {2} description.</summary>
        public static readonly EventDefinition ConfigurationChanged = new(
            1000, ManagementSource, EventLevel.Information,
            "Configuration revision {0} by {1}: {2}",
            "An administrator or tool changed the deployment settings (domains, users or presence policy).",
            "No action needed. Review the change with `parley settings history`.");

        /// <summary>{0} bootstrap file, {1} the validation error.</summary>
        public static readonly EventDefinition BootstrapConfigurationInvalid = new(
            1001, ManagementSource, EventLevel.Error,
            "Bootstrap configuration {0} is invalid: {1}",
            "The node's bootstrap file has a syntax error, an unknown key or a value out of range; the node did not start.",
            "Correct the key named in the message (the message gives the fix), then start the node again.");
    }
}
