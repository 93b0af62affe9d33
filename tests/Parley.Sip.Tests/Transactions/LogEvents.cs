namespace Parley.Sip.Tests.Transactions;

/// <summary>Event IDs of the transaction layer's log messages that tests look for (Parley.Sip.Transactions.Log).</summary>
public static class LogEvents
{
    public const int StrayResponse = 5244;

    public const int RetransmittedFinal = 5248;
}
