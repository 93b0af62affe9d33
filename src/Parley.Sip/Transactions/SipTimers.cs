namespace Parley.Sip.Transactions;

/// <summary>
/// RFC 3261 §17 timer base values (Table 4): T1 the round-trip estimate, T2 the cap on non-INVITE retransmission
/// intervals, T4 how long a message can stay in the network. Every other timer derives from these.
/// </summary>
public sealed record SipTimers
{
    public SipTimers(TimeSpan t1, TimeSpan t2, TimeSpan t4)
    {
        if (t1 <= TimeSpan.Zero || t2 < t1 || t4 <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(t1), "Timers need T1 > 0, T2 >= T1 and T4 > 0.");
        }

        T1 = t1;
        T2 = t2;
        T4 = t4;
    }

    /// <summary>500 ms, 4 s, 5 s (RFC 3261 §17.1.1.1, §17.1.2.2).</summary>
    public static SipTimers Default { get; } = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(5));

    public TimeSpan T1 { get; }

    public TimeSpan T2 { get; }

    public TimeSpan T4 { get; }

    /// <summary>
    /// How long an INVITE client transaction waits for a final response once a provisional arrived (RFC 3261 §16.6
    /// step 11 "Timer C", greater than 3 minutes); on expiry a 408 is synthesized. RFC 3261 leaves a UAC to its TU here;
    /// the transaction layer enforces it so no transaction lives for ever.
    /// </summary>
    public TimeSpan ProceedingTimeout { get; init; } = TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(1);

    /// <summary>64*T1: timers B, F, H, J, L and M.</summary>
    public TimeSpan TransactionTimeout => T1 * 64;

    /// <summary>Timer D: at least 32 s over unreliable transports.</summary>
    public TimeSpan TimerD => TransactionTimeout > TimeSpan.FromSeconds(32) ? TransactionTimeout : TimeSpan.FromSeconds(32);
}
