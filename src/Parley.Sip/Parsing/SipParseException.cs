using System.Diagnostics.CodeAnalysis;
using Parley.Sip.Messages;

namespace Parley.Sip.Parsing;

/// <summary>
/// A message could not be accepted. <see cref="StatusCode"/> is what to answer a request with;
/// <see cref="PartialRequest"/> holds the start line and headers read so far when they suffice to build a response.
/// </summary>
public sealed class SipParseException(SipRejectionReason reason, string detail, SipRequest? partialRequest = null)
    : Exception($"{reason}: {detail}")
{
    public SipRejectionReason Reason { get; } = reason;

    public int StatusCode => SipRejection.StatusCode(Reason);

    public string Detail { get; } = detail;

    /// <summary>Set when Via, From, To, Call-ID and CSeq were read, so a stateless 4xx/5xx can be sent.</summary>
    public SipRequest? PartialRequest { get; } = partialRequest;

    [DoesNotReturn]
    internal static void Throw(SipRejectionReason reason, string detail, SipRequest? partialRequest = null) =>
        throw new SipParseException(reason, detail, partialRequest);
}
