using Parley.Sip.Messages;
using Parley.Sip.Parsing;

namespace Parley.Sip.Transport;

/// <summary>Builds the stateless answer to input the parser refused, when enough of the request was read.</summary>
internal static class Rejection
{
    public static SipResponse? TryBuild(SipParseException error)
    {
        // ACKs are never answered (RFC 3261 §17.1.1.3); without Via, From, To, Call-ID and CSeq there is nobody to answer.
        if (error.PartialRequest is not { } request || request.Method == SipMethods.Ack)
        {
            return null;
        }

        try
        {
            return SipResponse.CreateFor(request, error.StatusCode);
        }
        catch (SipParseException)
        {
            return null;
        }
    }
}
