namespace Parley.Server.Management.Replication.Replica;

/// <summary>File-share mode (bootstrap <c>cms.fileShare</c>): the master writes <c>&lt;N&gt;.snapshot</c> and <c>latest</c> there.</summary>
public sealed record FileShareReplicaOptions
{
    public required string Directory { get; init; }

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Polls a snapshot may stay shorter than its header says before the applier sees it (and rejects it as
    /// Truncated, with an event): a share may show a file while its writer is still copying it.
    /// </summary>
    public int IncompletePollsBeforeRejecting { get; init; } = 5;
}

/// <summary>What one poll of the share did.</summary>
public enum FileSharePollOutcome
{
    /// <summary>No <c>latest</c> yet: the master has not written to the share.</summary>
    NoLatest,

    /// <summary>The revision <c>latest</c> names is held already.</summary>
    UpToDate,

    Applied,

    /// <summary>The snapshot (or <c>latest</c>) is still being written; retried next poll.</summary>
    Incomplete,

    /// <summary>Rejected (event raised); not tried again until the master writes the file again.</summary>
    Rejected,

    /// <summary>The share or the replica store failed (logged, or event 1034); retried next poll.</summary>
    Failed,
}
