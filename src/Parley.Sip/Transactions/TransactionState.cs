namespace Parley.Sip.Transactions;

/// <summary>RFC 3261 §17 transaction states, plus Accepted from RFC 6026 §7.1 for INVITE after a 2xx.</summary>
public enum TransactionState
{
    Calling,
    Trying,
    Proceeding,
    Completed,
    Confirmed,
    Accepted,
    Terminated,
}
