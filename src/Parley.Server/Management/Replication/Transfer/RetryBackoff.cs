namespace Parley.Server.Management.Replication.Transfer;

/// <summary>1 s, 2 s, 4 s … capped: the delay before the next attempt after each consecutive failure.</summary>
public sealed class RetryBackoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _max;
    private TimeSpan _next;

    public RetryBackoff(TimeSpan initial, TimeSpan max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(initial, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, initial);
        _initial = initial;
        _max = max;
        _next = initial;
    }

    public TimeSpan Next()
    {
        var delay = _next;
        _next = _next >= _max / 2 ? _max : _next * 2;
        return delay;
    }

    public void Reset() => _next = _initial;
}
