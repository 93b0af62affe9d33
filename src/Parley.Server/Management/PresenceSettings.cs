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

    public const int DefaultNotifyCoalescingMs = 50;

    /// <summary>
    /// Milliseconds a presentity's changes are gathered before its SIP watchers (federation peer included) are notified:
    /// a client's burst (initial presence, then its real status) becomes one NOTIFY. 0 notifies at once, for the lowest
    /// latency at the cost of more NOTIFYs.
    /// </summary>
    public int NotifyCoalescingMs { get; init; } = DefaultNotifyCoalescingMs;
}
