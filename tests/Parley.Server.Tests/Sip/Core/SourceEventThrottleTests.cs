using System.Net;
using Parley.Server.Diagnostics;
using Parley.Server.Sip;
using Parley.Server.Sip.Core;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Sip.Core;

public sealed class SourceEventThrottleTests
{
    [Fact]
    public void Failures_from_one_address_are_logged_up_to_the_limit_then_once_as_repeated_then_silent_until_the_window_ends()
    {
        var events = new RecordingEventLog();
        var clock = new FixedTimeProvider(DateTimeOffset.UtcNow);
        var throttle = new SourceEventThrottle(events, new SipServerOptions { AuthFailuresBeforeThrottle = 3, AuthFailureWindow = TimeSpan.FromMinutes(5) }, clock);
        var guesser = IPAddress.Parse("192.0.2.7");

        for (var i = 0; i < 10; i++)
        {
            throttle.Raise(guesser, ParleyEvents.Sip.DigestFailed, "alice@example.com", guesser, "REGISTER", "wrong password");
        }

        throttle.Raise(IPAddress.Parse("192.0.2.8"), ParleyEvents.Sip.DigestFailed, "bob@example.com", "192.0.2.8", "REGISTER", "wrong password");
        Assert.Equal(
            [ParleyEvents.Sip.DigestFailed, ParleyEvents.Sip.DigestFailed, ParleyEvents.Sip.DigestFailed, ParleyEvents.Sip.RepeatedFailures, ParleyEvents.Sip.DigestFailed],
            events.Raised.Select(e => e.Definition));

        clock.Now += TimeSpan.FromMinutes(6);
        throttle.Raise(guesser, ParleyEvents.Sip.DigestFailed, "alice@example.com", guesser, "REGISTER", "wrong password");
        Assert.Equal(ParleyEvents.Sip.DigestFailed, events.Raised.Last().Definition);
        Assert.Equal(6, events.Raised.Count);
    }
}
