namespace Parley.Server.Diagnostics;

public sealed record EventLogOptions
{
    /// <summary>Recorded with every event: which node (or "cli") raised it.</summary>
    public string NodeName { get; init; } = Environment.MachineName;

    /// <summary>Events waiting to be stored; beyond it new events are only logged and counted as dropped.</summary>
    public int QueueCapacity { get; init; } = 10_000;

    /// <summary>
    /// Events kept in the store; older ones are deleted as new ones arrive, so a flood (password guessing, a
    /// misbehaving client) cannot fill the disk. A million rows is a few hundred MB.
    /// </summary>
    public int MaxStoredEvents { get; init; } = 1_000_000;

    /// <summary>Most events written in one transaction.</summary>
    public int BatchSize { get; init; } = 256;
}
