using Parley.Sip.Messages;

namespace Parley.Sip.Transactions;

/// <summary>Builds a CANCEL for a pending INVITE (RFC 3261 §9.1).</summary>
public static class CancelRequest
{
    /// <summary>
    /// Same Request-URI, Call-ID, From, To, CSeq number and Route as the INVITE, and only its top Via, so the CANCEL
    /// matches the INVITE's transaction downstream. The INVITE must have been sent (it carries our Via).
    /// </summary>
    public static SipRequest For(SipRequest invite)
    {
        ArgumentNullException.ThrowIfNull(invite);
        if (invite.Method != SipMethods.Invite)
        {
            throw new ArgumentException("Only an INVITE can be cancelled.", nameof(invite));
        }

        var cancel = SipRequest.Create(SipMethods.Cancel, invite.RequestUri.Clone());
        cancel.Headers.Add(SipHeaderNames.Via, invite.Headers.GetValues(SipHeaderNames.Via)[0]);
        cancel.Headers.Add(SipHeaderNames.MaxForwards, "70");
        foreach (var route in invite.Headers.GetAll(SipHeaderNames.Route))
        {
            cancel.Headers.Add(SipHeaderNames.Route, route);
        }

        cancel.Headers.Add(SipHeaderNames.From, invite.Headers[SipHeaderNames.From] ?? string.Empty);
        cancel.Headers.Add(SipHeaderNames.To, invite.Headers[SipHeaderNames.To] ?? string.Empty);
        cancel.Headers.Add(SipHeaderNames.CallId, invite.CallId);
        cancel.CSeq = new CSeqHeader(invite.CSeq.Number, SipMethods.Cancel);
        return cancel;
    }
}
