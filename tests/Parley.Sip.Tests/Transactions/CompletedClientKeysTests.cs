using Parley.Sip.Messages;
using Parley.Sip.Transactions;

namespace Parley.Sip.Tests.Transactions;

public sealed class CompletedClientKeysTests
{
    private static readonly TimeSpan T4 = TimeSpan.FromSeconds(5);

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void A_key_is_kept_for_T4_then_forgotten_oldest_first()
    {
        var keys = new CompletedClientKeys(_time, T4);
        keys.Add(Key("z9hG4bK-1"));
        _time.Advance(TimeSpan.FromSeconds(1));
        keys.Add(Key("z9hG4bK-2"));

        _time.Advance(TimeSpan.FromSeconds(4));
        keys.ExpireDue();

        Assert.False(keys.Contains(Key("z9hG4bK-1")));
        Assert.True(keys.Contains(Key("z9hG4bK-2")));
        Assert.False(keys.Contains(Key("z9hG4bK-3")));
        Assert.Equal(1, keys.Count);

        _time.Advance(TimeSpan.FromSeconds(1));
        keys.ExpireDue();
        Assert.False(keys.Contains(Key("z9hG4bK-2")));
        Assert.Equal(0, keys.Count);
    }

    [Fact]
    public void A_key_added_again_stays_until_its_latest_time_is_up()
    {
        var keys = new CompletedClientKeys(_time, T4, _ => 7); // both keys share one hash
        keys.Add(Key("z9hG4bK-1"));
        _time.Advance(TimeSpan.FromSeconds(3));
        keys.Add(Key("z9hG4bK-2"));

        _time.Advance(TimeSpan.FromSeconds(2));
        keys.ExpireDue();
        Assert.True(keys.Contains(Key("z9hG4bK-2")));
        Assert.True(keys.Contains(Key("z9hG4bK-1"))); // the accepted cost of a collision: discarded a little longer

        _time.Advance(TimeSpan.FromSeconds(3));
        keys.ExpireDue();
        Assert.False(keys.Contains(Key("z9hG4bK-2")));
        Assert.Equal(0, keys.Count);
    }

    private static TransactionKey Key(string branch) => new(branch, string.Empty, SipMethods.Message);
}
