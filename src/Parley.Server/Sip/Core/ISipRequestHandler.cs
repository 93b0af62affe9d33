namespace Parley.Server.Sip.Core;

/// <summary>
/// Serves the SIP requests of some methods. Registered in DI as <see cref="ISipRequestHandler"/>; the
/// <see cref="SipRequestDispatcher"/> routes each new request (after authentication) to the handler of its method.
/// A method may have only one handler.
/// </summary>
public interface ISipRequestHandler
{
    /// <summary>The methods handled, upper case (<see cref="Parley.Sip.Messages.SipMethods"/>).</summary>
    IReadOnlyCollection<string> Methods { get; }

    /// <summary>
    /// Answers the request with a final response (through <see cref="SipServerRequest.RespondAsync(int, string?, Action{Parley.Sip.Messages.SipResponse}?, CancellationToken)"/>).
    /// Runs off the transport's read loop, so it may wait on other parties. An exception is answered 500.
    /// </summary>
    ValueTask HandleAsync(SipServerRequest request, CancellationToken cancellationToken);
}
