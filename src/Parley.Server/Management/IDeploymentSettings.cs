namespace Parley.Server.Management;

/// <summary>
/// Deployment settings kept in the store; every change makes a new revision with who, when and what.
/// <see cref="Current"/> follows changes made by any process (the CLI writes while the server runs).
/// </summary>
public interface IDeploymentSettings
{
    DeploymentSnapshot Current { get; }

    /// <summary>Raised (on a background thread) after <see cref="Current"/> moved to a new revision.</summary>
    event Action<DeploymentSnapshot>? Changed;

    /// <summary>Re-reads the store now if its revision moved (also done periodically by the implementation).</summary>
    Task<DeploymentSnapshot> RefreshAsync(CancellationToken cancellationToken);

    Task SetPresenceSettingsAsync(PresenceSettings settings, string actor, CancellationToken cancellationToken);

    Task<IReadOnlyList<ConfigurationChange>> ListChangesAsync(int limit, CancellationToken cancellationToken);
}

public sealed record ConfigurationChange(long Revision, DateTimeOffset Time, string Actor, string Description);
