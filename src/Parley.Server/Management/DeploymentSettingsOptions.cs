namespace Parley.Server.Management;

public sealed record DeploymentSettingsOptions
{
    /// <summary>How often the store's latest revision is checked, so changes made by the CLI take effect.</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Raise "configuration revision applied" when a refresh picks up a new revision (a server, not the CLI).</summary>
    public bool AnnounceRevisions { get; init; } = true;
}
