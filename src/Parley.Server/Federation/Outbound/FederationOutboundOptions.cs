namespace Parley.Server.Federation.Outbound;

/// <summary>Timers of the outbound side; defaults per docs/design/federation.md, shorter in tests.</summary>
public sealed record FederationOutboundOptions
{
    /// <summary>How often a next hop marked down is probed with OPTIONS (the contract's 5 s).</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Expires asked for in presence SUBSCRIBEs to the peer (RFC 6665 §4.1.2.1; Lync grants up to an hour or more).</summary>
    public TimeSpan SubscriptionExpires { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// After a SUBSCRIBE the peer did not answer (408, 503, transport failure), when to try again: the subscription is
    /// the user's wish and stays stored, so it must come back by itself once the peer does.
    /// </summary>
    public TimeSpan SubscriptionRetry { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long "no static route" events for one domain are suppressed after one was raised.</summary>
    public TimeSpan NoRouteEventInterval { get; init; } = TimeSpan.FromMinutes(5);

    public void Validate()
    {
        Positive(nameof(ProbeInterval), ProbeInterval);
        Positive(nameof(SubscriptionExpires), SubscriptionExpires);
        Positive(nameof(SubscriptionRetry), SubscriptionRetry);
        Positive(nameof(NoRouteEventInterval), NoRouteEventInterval);
        if (SubscriptionExpires < TimeSpan.FromSeconds(60))
        {
            throw new ArgumentOutOfRangeException(nameof(SubscriptionExpires), SubscriptionExpires, "A presence subscription lasts at least 60 s (the usual Min-Expires).");
        }
    }

    private static void Positive(string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
        }
    }
}
