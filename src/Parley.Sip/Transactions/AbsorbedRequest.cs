using Parley.Sip.Messages;
using Parley.Sip.Parsing;
using Parley.Sip.Transport;

namespace Parley.Sip.Transactions;

/// <summary>
/// What is left of a completed non-INVITE server transaction over UDP while timer J runs: its final response as sent
/// (the bytes only, parsed again when a retransmitted request asks for it) and where it went. A retransmitted request
/// gets the response again and never reaches the TU. Tens of thousands of these are alive at any time under load
/// (1,500 MESSAGE/s make 3,000 a second, each kept 32 s), and they outlive every young-generation collection: keeping
/// whole transactions made the garbage collector the largest cost per MESSAGE, and the bytes alone are half the
/// parsed response's size.
/// </summary>
internal sealed class AbsorbedRequest(byte[] response, SipMessageParser parser, SipSource source)
{
    /// <summary>The final response, parsed from its bytes for each retransmission (rare: a lost response).</summary>
    public SipResponse Response => (SipResponse)parser.ParseOwned(response);

    public SipSource Source { get; } = source;
}
