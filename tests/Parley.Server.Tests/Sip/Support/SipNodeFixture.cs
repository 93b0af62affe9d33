using Parley.Server.Sip;
using Parley.Server.Tests.Xmpp.Support;
using Parley.Sip.Transactions;

namespace Parley.Server.Tests.Sip.Support;

/// <summary>
/// A node with SIP on free loopback ports and test-sized timers: registrations of 2 s or more (so expiry shows within a
/// test), and a 50 ms T1 so an unanswered request times out (408) in 3.2 s instead of 32 s.
/// </summary>
public class SipNodeFixture : ParleyNodeFixture
{
    public static readonly TimeSpan MinExpires = TimeSpan.FromSeconds(2);

    public static SipServerOptions TestOptions => new()
    {
        MinExpires = MinExpires,
        Timers = new SipTimers(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(500)),
        ImSessionIdleTimeout = TimeSpan.FromMinutes(5),
    };

    protected override SipServerOptions Sip => TestOptions;
}

/// <summary>A SIP node whose IM sessions end after 2 s without traffic.</summary>
public sealed class ShortIdleSipNodeFixture : ParleyNodeFixture
{
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(2);

    protected override SipServerOptions Sip => SipNodeFixture.TestOptions with { ImSessionIdleTimeout = IdleTimeout };
}
