using Parley.Sip.Messages;
using Parley.Sip.Transport;

namespace Parley.Sip.Transactions;

/// <summary>
/// What is left of a completed non-INVITE server transaction over UDP while timer J runs: its final response as sent
/// (re-parsed from its bytes, so a handful of objects rather than the whole request and response) and where it went.
/// A retransmitted request gets the response again and never reaches the TU. Thousands of these are alive at any
/// time under load; keeping whole transactions for 32 s made the garbage collector the largest cost per MESSAGE.
/// </summary>
internal sealed class AbsorbedRequest(SipResponse response, SipSource source)
{
    public SipResponse Response { get; } = response;

    public SipSource Source { get; } = source;
}
