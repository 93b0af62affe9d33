namespace Parley.Server.Management;

/// <summary>Deployment-wide presence policy (seed 003: contact list and watcher limits, auto-approve).</summary>
public sealed record PresenceSettings
{
    public const int DefaultLimit = 200;

    /// <summary>Maximum contact-list (roster) size per user; null = unlimited.</summary>
    public int? MaxContactListSize { get; init; } = DefaultLimit;

    /// <summary>Maximum watchers (contacts subscribed to the user's presence); null = unlimited.</summary>
    public int? MaxWatchers { get; init; } = DefaultLimit;

    /// <summary>Approve subscription requests from users of the local domains without asking.</summary>
    public bool AutoApproveLocalDomain { get; init; } = true;
}
