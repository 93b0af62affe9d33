namespace Parley.Server.Management;

/// <summary>
/// The deployment configuration this node runs with (read side). <see cref="Current"/> follows changes made by any
/// process (the CLI writes while the server runs); changes go through <see cref="Cms.ICmsStore"/> on the master.
/// </summary>
public interface IDeploymentSettings
{
    DeploymentSnapshot Current { get; }

    /// <summary>Raised (on a background thread) after <see cref="Current"/> moved to a new revision.</summary>
    event Action<DeploymentSnapshot>? Changed;

    /// <summary>Re-reads the store now if its revision moved (also done periodically by the implementation).</summary>
    Task<DeploymentSnapshot> RefreshAsync(CancellationToken cancellationToken);
}

public sealed record ConfigurationChange(long Revision, DateTimeOffset Time, string Actor, string Description);
