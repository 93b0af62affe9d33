using Parley.Sip.Messages;
using Parley.Sip.Transactions;
using Parley.Sip.Transport;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Sip.Core;

/// <summary>
/// One new request handed to an <see cref="ISipRequestHandler"/>: its server transaction, where it came from and who
/// sent it (the digest-authenticated user, or null when the request was not authenticated).
/// </summary>
public sealed class SipServerRequest
{
    private readonly string _serverHeader;
    private string? _toTag;

    public SipServerRequest(ServerTransaction transaction, Jid? user, string serverHeader)
    {
        Transaction = transaction;
        User = user;
        _serverHeader = serverHeader;
    }

    /// <summary>The server transaction; every response goes through it (it retransmits and absorbs duplicates).</summary>
    public ServerTransaction Transaction { get; }

    /// <summary>The request as received (top Via carries received/rport).</summary>
    public SipRequest Request => Transaction.Request;

    /// <summary>Transport, remote endpoint and connection the request came on: where responses and later requests go.</summary>
    public SipSource Source => Transaction.Source;

    /// <summary>
    /// The sender (bare JID), equal to the From user: a digest-authenticated local user, or, when <see cref="IsPeer"/>,
    /// a user of the federation peer; null when not authenticated.
    /// </summary>
    public Jid? User { get; }

    /// <summary>
    /// The request came from the federation peer (a source the incoming ACL or TLS peer authentication trusts, or a
    /// dialog opened with the peer) on behalf of <see cref="User"/>, who has no account here.
    /// </summary>
    public bool IsPeer { get; private init; }

    /// <summary>The same request once authenticated as <paramref name="user"/> (same To tag).</summary>
    public SipServerRequest WithUser(Jid user) => new(Transaction, user, _serverHeader) { _toTag = _toTag };

    /// <summary>The same request as sent by <paramref name="peerUser"/>, a user of the trusted federation peer (same To tag).</summary>
    public SipServerRequest WithPeer(Jid peerUser) => new(Transaction, peerUser, _serverHeader) { _toTag = _toTag, IsPeer = true };

    /// <summary>
    /// The To tag of responses to this request: the request's own when in a dialog, else one made for this request
    /// (RFC 3261 §8.2.6.2), the same for every response to it.
    /// </summary>
    public string ToTag => _toTag ??= Request.To.Tag ?? Transaction.Tokens.NewTag();

    /// <summary>A response with Via, From, To (with <see cref="ToTag"/> except for 100), Call-ID, CSeq and Server.</summary>
    public SipResponse CreateResponse(int status, string? reason = null)
    {
        var response = SipResponse.CreateFor(Request, status, reason, status == SipStatusCodes.Trying ? null : ToTag);
        response.Headers.Set(SipHeaderNames.Server, _serverHeader);
        return response;
    }

    /// <summary>Creates a response (<see cref="CreateResponse"/>), lets <paramref name="decorate"/> add headers or a body, and sends it.</summary>
    public ValueTask RespondAsync(int status, string? reason = null, Action<SipResponse>? decorate = null, CancellationToken cancellationToken = default)
    {
        var response = CreateResponse(status, reason);
        decorate?.Invoke(response);
        return Transaction.RespondAsync(response, cancellationToken);
    }

    /// <summary>Sends a response built by the caller.</summary>
    public ValueTask RespondAsync(SipResponse response, CancellationToken cancellationToken) => Transaction.RespondAsync(response, cancellationToken);
}
