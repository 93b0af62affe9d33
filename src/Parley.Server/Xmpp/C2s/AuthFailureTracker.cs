using System.Collections.Concurrent;
using System.Net;

namespace Parley.Server.Xmpp.C2s;

/// <summary>
/// Counts SASL failures per source address within a window, so password guessing is slowed and reported once per
/// window instead of flooding the event store. Bounded: the table is cleared when it grows too large.
/// </summary>
public sealed class AuthFailureTracker(XmppServerOptions options, TimeProvider time)
{
    private const int MaxTrackedAddresses = 100_000;
    private readonly ConcurrentDictionary<IPAddress, Window> _windows = new();

    /// <summary>Records a failure; returns whether the address is now throttled and whether this is the first time in the window.</summary>
    public (bool Throttled, bool FirstTimeThrottled, int Failures) RecordFailure(IPAddress address)
    {
        if (_windows.Count > MaxTrackedAddresses)
        {
            _windows.Clear();
        }

        var now = time.GetUtcNow();
        var window = _windows.AddOrUpdate(
            address,
            _ => new Window(now, 1),
            (_, current) => now - current.Start > options.AuthFailureWindow ? new Window(now, 1) : current with { Failures = current.Failures + 1 });
        var throttled = window.Failures >= options.AuthFailuresBeforeThrottle;
        return (throttled, window.Failures == options.AuthFailuresBeforeThrottle, window.Failures);
    }

    private readonly record struct Window(DateTimeOffset Start, int Failures);
}
