namespace Parley.Server.Sip.Presence.Subscriptions;

/// <summary>What survived a restart: the subscriptions still valid, and how many expired while the node was down.</summary>
public sealed record RestoredSubscriptions(IReadOnlyList<SipSubscription> Subscriptions, int ExpiredRemoved);

/// <summary>Persisted SIP presence subscriptions, so a restart does not leave watchers dark until their refresh.</summary>
public interface ISipSubscriptionStore
{
    /// <summary>Removes the subscriptions expired at <paramref name="now"/> and returns the others.</summary>
    Task<RestoredSubscriptions> LoadAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces the subscription (dialog state, flow, expiry).</summary>
    Task SaveAsync(SipSubscription subscription, CancellationToken cancellationToken);

    Task DeleteAsync(string id, CancellationToken cancellationToken);
}
