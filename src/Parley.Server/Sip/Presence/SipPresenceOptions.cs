using Parley.Server.Sip.Presence.Pidf;

namespace Parley.Server.Sip.Presence;

/// <summary>
/// Bounds and timers of the SIP presence server. Expiry defaults follow RFC 3856 §6.4 (3600 s when the SUBSCRIBE has
/// none) and RFC 3903 §4 (PUBLISH likewise); the 86400 s ceiling keeps a forgotten subscription from living for
/// days. <see cref="Validate"/> names a bad setting.
/// </summary>
public sealed record SipPresenceOptions
{
    public TimeSpan DefaultExpires { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Shorter subscriptions and publications get 423 Interval Too Brief with Min-Expires.</summary>
    public TimeSpan MinExpires { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Longer ones are granted this long (the response's Expires says so).</summary>
    public TimeSpan MaxExpires { get; init; } = TimeSpan.FromDays(1);

    /// <summary>NOTIFYs in a row that may fail (timeout, transport error, 5xx) before the subscription is terminated.</summary>
    public int MaxNotifyFailures { get; init; } = 3;

    /// <summary>How often expired subscriptions and publications are looked for.</summary>
    public TimeSpan ExpiryScanInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Subscriptions (dialogs) one watcher may hold; a client that never ends old dialogs hits this.</summary>
    public int MaxSubscriptionsPerWatcher { get; init; } = 1000;

    /// <summary>Bounds on PUBLISH bodies.</summary>
    public PidfLimits Pidf { get; init; } = new();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the setting and its allowed range.</summary>
    public void Validate()
    {
        Positive(nameof(MinExpires), MinExpires);
        if (MaxExpires < MinExpires)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxExpires), MaxExpires, $"{nameof(MaxExpires)} must be at least {nameof(MinExpires)} ({MinExpires}).");
        }

        if (DefaultExpires < MinExpires || DefaultExpires > MaxExpires)
        {
            throw new ArgumentOutOfRangeException(nameof(DefaultExpires), DefaultExpires, $"{nameof(DefaultExpires)} must be from {MinExpires} to {MaxExpires}.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxNotifyFailures, nameof(MaxNotifyFailures));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxSubscriptionsPerWatcher, nameof(MaxSubscriptionsPerWatcher));
        Positive(nameof(ExpiryScanInterval), ExpiryScanInterval);
        ArgumentNullException.ThrowIfNull(Pidf, nameof(Pidf));
    }

    private static void Positive(string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a positive duration.");
        }
    }
}
