namespace Parley.Sip.Transactions;

/// <summary>Who answers a cancelled INVITE once its transaction user was told (RFC 3261 §9.2 for a UAS, §16.10 for a proxy).</summary>
public enum CancelHandling
{
    /// <summary>The layer answers the INVITE 487 now, unless the user already sent a final response.</summary>
    AnswerRequestTerminated,

    /// <summary>
    /// The user is a proxy that forwarded the CANCEL downstream: it sends the INVITE's final response itself when one
    /// comes back (normally the next hop's 487), and must send one in the end.
    /// </summary>
    FinalResponseFollows,
}
