using System.Collections.Concurrent;
using System.Net;
using Parley.Server.Diagnostics;

namespace Parley.Server.Sip.Core;

/// <summary>
/// Raises SIP failure events (authentication, malformed input) with the source address, rate-limited per address: the first
/// <see cref="SipServerOptions.AuthFailuresBeforeThrottle"/> failures in a window each raise their event, the next one
/// raises <see cref="ParleyEvents.Sip.RepeatedFailures"/> once, and the rest of the window is silent (a password guesser
/// or a scanner must not flood the event store). Bounded: the table is cleared when it grows too large.
/// </summary>
public sealed class SourceEventThrottle(IEventLog events, SipServerOptions options, TimeProvider time)
{
    private const int MaxTrackedAddresses = 100_000;
    private readonly ConcurrentDictionary<IPAddress, Window> _windows = new();

    /// <summary>Raises <paramref name="definition"/> for a failure from <paramref name="source"/> unless the address is throttled.</summary>
    public void Raise(IPAddress source, EventDefinition definition, params object?[] args)
    {
        if (_windows.Count > MaxTrackedAddresses)
        {
            _windows.Clear();
        }

        var now = time.GetUtcNow();
        var window = _windows.AddOrUpdate(
            source,
            _ => new Window(now, 1),
            (_, current) => now - current.Start > options.AuthFailureWindow ? new Window(now, 1) : current with { Failures = current.Failures + 1 });
        if (window.Failures <= options.AuthFailuresBeforeThrottle)
        {
            events.Raise(definition, args);
        }
        else if (window.Failures == options.AuthFailuresBeforeThrottle + 1)
        {
            events.Raise(ParleyEvents.Sip.RepeatedFailures, window.Failures, source, (int)options.AuthFailureWindow.TotalSeconds);
        }
    }

    private readonly record struct Window(DateTimeOffset Start, int Failures);
}
