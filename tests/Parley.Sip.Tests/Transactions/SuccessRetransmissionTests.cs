using Parley.Sip.Messages;
using Parley.Sip.Transactions;

namespace Parley.Sip.Tests.Transactions;

public sealed class SuccessRetransmissionTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task The_2xx_is_resent_from_T1_doubling_to_T2_until_the_ack()
    {
        var transport = new FakeTransport(_time);
        var ok = SipResponse.CreateFor(TestMessages.Received(SipMethods.Invite), 200, toTag: "bob");
        using var retransmission = new SuccessRetransmission(transport, ok, TestMessages.Tcp, SipTimers.Default, _time);

        _time.Advance(TimeSpan.FromSeconds(12));
        retransmission.Acknowledge();
        _time.Advance(TimeSpan.FromSeconds(30));

        double[] expected = [0.5, 1.5, 3.5, 7.5, 11.5];
        Assert.Equal(expected.Select(TimeSpan.FromSeconds), transport.TimesOf(_ => true));
        Assert.True(await retransmission.Completion);
    }

    [Fact]
    public async Task Without_an_ack_it_gives_up_after_64_T1()
    {
        var transport = new FakeTransport(_time);
        var ok = SipResponse.CreateFor(TestMessages.Received(SipMethods.Invite), 200, toTag: "bob");
        using var retransmission = new SuccessRetransmission(transport, ok, TestMessages.Udp, SipTimers.Default, _time);

        _time.Advance(TimeSpan.FromSeconds(31.9));
        Assert.False(retransmission.Completion.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(0.1));

        Assert.False(await retransmission.Completion);
        Assert.Equal(0, _time.ActiveTimers);
    }

    [Fact]
    public void Only_a_2xx_is_accepted()
    {
        var ringing = SipResponse.CreateFor(TestMessages.Received(SipMethods.Invite), 180, toTag: "bob");

        Assert.Throws<ArgumentException>(() => new SuccessRetransmission(new FakeTransport(_time), ringing, TestMessages.Udp, SipTimers.Default, _time));
    }
}
