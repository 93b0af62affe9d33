using Parley.Sip.Messages;

namespace Parley.Sip.Transactions;

/// <summary>
/// Identifies a transaction (RFC 3261 §17.1.3, §17.2.3): the branch, the top Via sent-by (server side) and the method,
/// with ACK folded into INVITE. Client keys leave sent-by empty: our own branches are unique.
/// </summary>
public readonly record struct TransactionKey(string Branch, string SentBy, string Method)
{
    /// <summary>The key a received request belongs to; <paramref name="method"/> overrides the request's (ACK → INVITE, CANCEL → INVITE).</summary>
    public static TransactionKey ForServer(SipRequest request, ViaHeader topVia, string method)
    {
        var port = topVia.Port?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
        var sentBy = topVia.Host.ToLowerInvariant() + ":" + port;
        if (topVia.HasMagicCookie)
        {
            return new TransactionKey(topVia.Branch!, sentBy, method);
        }

        // RFC 2543 peers have no unique branch. Call-ID, CSeq number and From tag approximate §17.2.3's fallback well
        // enough that retransmissions are absorbed; exact 2543 matching (To tag, Request-URI) is not attempted.
        var fromTag = request.TryGetFrom(out var from) ? from.Tag : null;
        var number = request.TryGetCSeq(out var cseq) ? cseq.Number : 0;
        var callId = request.TryGetCallId(out var id) ? id : string.Empty;
        return new TransactionKey($"2543|{callId}|{number}|{fromTag}|{topVia.Branch}", sentBy, method);
    }

    /// <summary>The key a received response belongs to: its top Via branch and CSeq method.</summary>
    public static bool TryForClient(SipResponse response, out TransactionKey key)
    {
        if (response.TryGetTopVia(out var via) && via.Branch is { Length: > 0 } branch && response.TryGetCSeq(out var cseq))
        {
            key = new TransactionKey(branch, string.Empty, cseq.Method);
            return true;
        }

        key = default;
        return false;
    }
}
