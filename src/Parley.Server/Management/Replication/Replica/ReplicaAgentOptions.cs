namespace Parley.Server.Management.Replication.Replica;

/// <summary>Everything the replica agent's local side needs to know, filled from the bootstrap file by the node wiring.</summary>
public sealed record ReplicaAgentOptions
{
    public required ReplicaStoreOptions Store { get; init; }

    public required ReplicaApplierOptions Applier { get; init; }

    /// <summary>How often commits by another process are picked up and staleness is checked.</summary>
    public DeploymentSettingsOptions Settings { get; init; } = new();

    /// <summary>Bootstrap <c>cms.fileShare</c>; null = the master pushes over HTTPS.</summary>
    public FileShareReplicaOptions? FileShare { get; init; }
}
