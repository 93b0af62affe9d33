namespace Parley.Server.Management.Replication.Replica;

/// <summary>Where the replica store lives and how it behaves (docs/design/cms.md "Replica store layout").</summary>
public sealed record ReplicaStoreOptions
{
    /// <summary>Test-only fault injection, read once at start by whoever builds these options (node wiring, CLI).</summary>
    public const string FaultEnvironmentVariable = "PARLEY_REPLICA_FAULT";

    public const string DirectoryName = "xds-replica";

    /// <summary>The node's data directory; the store is <c>&lt;data&gt;/xds-replica</c>.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Revisions kept on disk (the current one included), so an operator can fall back by hand.</summary>
    public int RetainedRevisions { get; init; } = 3;

    /// <summary>Kill the process (SIGKILL to itself) at this step of a commit; <see cref="ReplicaFaultStep.None"/> outside tests.</summary>
    public ReplicaFaultStep FaultStep { get; init; } = ReplicaFaultStep.None;

    public string StorePath => Path.Combine(Path.GetFullPath(DataDirectory), DirectoryName);

    /// <summary>Options for <paramref name="dataDirectory"/> with the fault step from <see cref="FaultEnvironmentVariable"/> (unset = none).</summary>
    public static ReplicaStoreOptions For(string dataDirectory, string? faultVariableValue)
        => new() { DataDirectory = dataDirectory, FaultStep = ReplicaFaultSteps.Parse(faultVariableValue) };
}
