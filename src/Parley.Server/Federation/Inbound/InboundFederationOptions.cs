namespace Parley.Server.Federation.Inbound;

/// <summary>
/// Timings of the incoming ACL's DNS checks (docs/design/federation.md, "Inbound"). Defaults are the contract's;
/// tests shorten them.
/// </summary>
public sealed record InboundFederationOptions
{
    /// <summary>Longest wait for one forward (A/AAAA) or reverse (PTR) lookup; a lookup that takes longer counts as no match.</summary>
    public TimeSpan DnsTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long an answer that found something is kept.</summary>
    public TimeSpan DnsCacheTime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a failed, empty or timed-out lookup is kept before it is tried again.</summary>
    public TimeSpan DnsNegativeCacheTime { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>An ACL check that took at least this long raises the "check DNS" event.</summary>
    public TimeSpan SlowCheckThreshold { get; init; } = TimeSpan.FromSeconds(2);
}
