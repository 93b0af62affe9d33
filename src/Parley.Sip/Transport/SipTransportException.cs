namespace Parley.Sip.Transport;

/// <summary>A message could not be sent (no listener, connect failed, connection closed or over its limit).</summary>
public sealed class SipTransportException : Exception
{
    public SipTransportException(string message)
        : base(message)
    {
    }

    public SipTransportException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>
    /// The transport has already told its observer (<see cref="ISipTransportObserver.OnTransportError"/>), with the
    /// cause: whoever catches this need not report the failure again.
    /// </summary>
    public bool ReportedToObserver { get; init; }
}
