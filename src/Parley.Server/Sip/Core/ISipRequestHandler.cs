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
    /// True when handling writes to the store (SQLite, synchronous) before its first real wait: such a handler is started
    /// on the thread pool so a disk write never holds up the transport's receive loop. Other handlers run on the receiving
    /// thread up to their first wait, which saves the thread hops that dominated the cost of a relayed MESSAGE.
    /// </summary>
    bool WritesToStore { get; }

    /// <summary>
    /// Answers the request with a final response (through <see cref="SipServerRequest.RespondAsync(int, string?, Action{Parley.Sip.Messages.SipResponse}?, CancellationToken)"/>).
    /// The transport never waits for it (its read loop goes on), so it may wait on other parties; it must not block a
    /// thread unless <see cref="WritesToStore"/> says so. An exception is answered 500.
    /// </summary>
    ValueTask HandleAsync(SipServerRequest request, CancellationToken cancellationToken);
}
