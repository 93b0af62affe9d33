namespace Parley.Server.Management.Replication.Replica;

/// <summary>
/// Where a test makes the process kill itself during a commit (environment variable
/// <see cref="ReplicaStoreOptions.FaultEnvironmentVariable"/>): proves that a crash at any step leaves a loadable store.
/// </summary>
public enum ReplicaFaultStep
{
    None,

    /// <summary>revisions/N.snapshot.tmp written and fsynced, not yet renamed.</summary>
    AfterTempWrite,

    /// <summary>revisions/N.snapshot in place, <c>current</c> still names the old revision.</summary>
    AfterRename,

    /// <summary>current.tmp written and fsynced, not yet renamed over <c>current</c>.</summary>
    AfterCurrentTemp,

    /// <summary><c>current</c> renamed and the directory fsynced: the new revision is committed; status.json not yet written.</summary>
    AfterCommit,
}

/// <summary>The names used in <c>PARLEY_REPLICA_FAULT</c>.</summary>
public static class ReplicaFaultSteps
{
    private static readonly (string Name, ReplicaFaultStep Step)[] Names =
    [
        ("after-temp-write", ReplicaFaultStep.AfterTempWrite),
        ("after-rename", ReplicaFaultStep.AfterRename),
        ("after-current-temp", ReplicaFaultStep.AfterCurrentTemp),
        ("after-commit", ReplicaFaultStep.AfterCommit),
    ];

    public static string Name(ReplicaFaultStep step)
        => step == ReplicaFaultStep.None ? "none" : Names.First(n => n.Step == step).Name;

    /// <summary>Null or empty = no fault; an unknown name throws (a mistyped test must not silently test nothing).</summary>
    public static ReplicaFaultStep Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return ReplicaFaultStep.None;
        }

        foreach (var (name, step) in Names)
        {
            if (string.Equals(name, value.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return step;
            }
        }

        throw new ArgumentException(
            $"{ReplicaStoreOptions.FaultEnvironmentVariable}='{value}' is not a fault step. Use one of: {string.Join(", ", Names.Select(n => n.Name))} (or unset it).",
            nameof(value));
    }
}
