namespace Parley.Server.Management.Replication.Snapshots;

public sealed record MasterReplicatorOptions
{
    /// <summary>How often the store's revision is checked for changes made by another process (the CLI). Own changes are seen at once.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
}
