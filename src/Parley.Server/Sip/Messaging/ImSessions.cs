using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Parley.Server.Directory;
using Parley.Server.Federation.Outbound;
using Parley.Server.Sip.Core;
using Parley.Sip.Dialogs;
using Parley.Sip.Messages;
using Parley.Sip.Transport;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Sip.Messaging;

/// <summary>
/// Session-mode IM as Lync does it: Parley answers an INVITE whose SDP offers <c>m=message</c> (200 + SDP answer),
/// keeps the dialog per (SIP user, peer), carries in-dialog MESSAGE (text) and INFO (isComposing) into the engine,
/// sends the peer's messages back in the dialog, and ends it on BYE or after
/// <see cref="SipServerOptions.ImSessionIdleTimeout"/> without traffic (then with BYE).
/// </summary>
public sealed class ImSessions : ISipRequestHandler, IDialogOwnership, IAsyncDisposable
{
    private const string SdpContentType = "application/sdp";

    /// <summary>How long stopping waits for the BYEs of open sessions: a live client answers within a round trip.</summary>
    private static readonly TimeSpan ShutdownByeWait = TimeSpan.FromSeconds(1);

    private readonly SipOutbound _outbound;
    private readonly SipMessageIngress _ingress;
    private readonly IUserDirectory _directory;
    private readonly IFederationRouting _federation;
    private readonly SipServerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ImSessions> _logger;
    private readonly ConcurrentDictionary<DialogId, ImSession> _byDialog = new();
    private readonly ConcurrentDictionary<(Jid User, Jid Peer), ImSession> _byPeer = new();
    private readonly ITimer _idleSweep;

    public ImSessions(SipOutbound outbound, SipMessageIngress ingress, IUserDirectory directory, IFederationRouting federation, SipServerOptions options,
        TimeProvider time, ILogger<ImSessions> logger)
    {
        _outbound = outbound;
        _ingress = ingress;
        _directory = directory;
        _federation = federation;
        _options = options;
        _time = time;
        _logger = logger;
        var period = TimeSpan.FromTicks(Math.Clamp(options.ImSessionIdleTimeout.Ticks / 4, TimeSpan.TicksPerSecond, 30 * TimeSpan.TicksPerSecond));
        _idleSweep = time.CreateTimer(_ => _ = EndIdleSessionsAsync(), null, period, period);
    }

    public IReadOnlyCollection<string> Methods { get; } = [SipMethods.Invite, SipMethods.Bye, SipMethods.Info];

    /// <summary>IM sessions live in memory.</summary>
    public bool WritesToStore => false;

    /// <summary>Open sessions (for tests and status).</summary>
    public int Count => _byDialog.Count;

    public ValueTask HandleAsync(SipServerRequest request, CancellationToken cancellationToken) => request.Request.Method switch
    {
        SipMethods.Invite => request.Request.To.Tag is null ? AcceptInviteAsync(request, cancellationToken) : RefreshAsync(request, cancellationToken),
        SipMethods.Bye => ByeAsync(request, cancellationToken),
        _ => InDialogContentAsync(request, cancellationToken),
    };

    /// <summary>An in-dialog MESSAGE (or INFO): its content goes to the peer; 481 when the dialog is unknown.</summary>
    public ValueTask HandleInDialogAsync(SipServerRequest request, CancellationToken cancellationToken) => InDialogContentAsync(request, cancellationToken);

    /// <summary>The SIP user of the session (authenticated by its INVITE, or a federation peer user); null for no open session.</summary>
    public DialogParty? OwnerOf(DialogId dialog) => _byDialog.TryGetValue(dialog, out var session) && !session.IsEnded ? new DialogParty(session.User, session.IsPeer) : null;

    /// <summary>
    /// Keeps a session Parley opened (as UAC) with a federation peer user, so replies and the peer's in-dialog requests
    /// use it; a previous session of the pair is closed with BYE, as for a new INVITE.
    /// </summary>
    public void AddOpened(ImSession session)
    {
        _byDialog[session.Dialog.Id] = session;
        if (_byPeer.TryGetValue((session.User, session.Peer), out var previous) && !ReferenceEquals(previous, session))
        {
            _ = EndWithByeAsync(previous, "replaced by a new session", CancellationToken.None);
        }

        _byPeer[(session.User, session.Peer)] = session;
    }

    /// <summary>
    /// The SDP of a message-only session (as Lync does: no MSRP media, messages travel in SIP), as offer
    /// or answer: this node's address on <paramref name="transport"/> and <paramref name="port"/> in <c>m=message</c>.
    /// </summary>
    public string MessageSessionSdp(SipTransportKind transport, int port)
    {
        var host = _outbound.LocalContact(transport).Uri.Host;
        var family = IPAddress.TryParse(host, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6 ? "IP6" : "IP4";
        var version = _time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"v=0\r\no=- {version} {version} IN {family} {host}\r\ns=-\r\nc=IN {family} {host}\r\nt=0 0\r\n" +
               $"m=message {port} sip null\r\na=accept-types:text/plain {IsComposingCodec.ContentType}\r\n";
    }

    /// <summary>The ACK for our 2xx: the session is confirmed (nothing else to do but note the activity).</summary>
    public void OnAck(SipRequest ack)
    {
        if (ack.TryGetTo(out var to) && to.Tag is not null && _byDialog.TryGetValue(DialogId.ForIncoming(ack), out var session))
        {
            session.Touch(_time.GetUtcNow());
        }
    }

    /// <summary>
    /// Sends content from <paramref name="peer"/> to <paramref name="user"/> in their open IM session: MESSAGE for text,
    /// INFO for typing. Null when there is no session; false when the session failed (it is then ended).
    /// </summary>
    public async Task<bool?> TrySendAsync(Jid user, Jid peer, InstantMessageContent content, CancellationToken cancellationToken)
    {
        if (!_byPeer.TryGetValue((user.Bare, peer.Bare), out var session) || session.IsEnded)
        {
            return null;
        }

        SipRequest request;
        lock (session.Gate)
        {
            request = session.Dialog.CreateRequest(content.Text is null ? SipMethods.Info : SipMethods.Message);
        }

        var (contentType, body) = content.ToSipBody();
        request.ContentType = contentType;
        request.Body = body;
        var response = await _outbound.SendAsync(request, session.Destination, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccess)
        {
            session.Touch(_time.GetUtcNow());
            return true;
        }

        // 481: the client forgot the dialog; 408/503: it is gone. Either way later messages go page-mode.
        Remove(session, $"{request.Method} answered {response.StatusCode}");
        return false;
    }

    /// <summary>Ends every session with BYE, waiting at most <see cref="ShutdownByeWait"/> for the answers.</summary>
    public async ValueTask DisposeAsync()
    {
        await _idleSweep.DisposeAsync().ConfigureAwait(false);
        // In parallel and bounded: one BYE to a client that has gone waits out Timer F (64·T1, 32 s), and waiting for
        // each in turn would hold the node's stop for that long per session. An unanswered BYE ends nothing more here.
        var byes = _byDialog.Values.Select(session => EndWithByeAsync(session, "server stopping", CancellationToken.None)).ToArray();
        try
        {
            await Task.WhenAll(byes).WaitAsync(ShutdownByeWait, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }

    private async ValueTask AcceptInviteAsync(SipServerRequest request, CancellationToken cancellationToken)
    {
        if (request.User is not { } user)
        {
            await request.RespondAsync(403, "Only users of this server may start IM sessions", cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }

        if (!OffersMessageSession(request.Request))
        {
            // RFC 3264 §6: nothing we can answer (audio, video): refuse the offer, not the user.
            await request.RespondAsync(488, "Only IM sessions (m=message) are served", r => r.Headers.Set(SipHeaderNames.Accept, SdpContentType), cancellationToken).ConfigureAwait(false);
            return;
        }

        if (!SipAddressMapping.TryToJid(request.Request.RequestUri, out var peer))
        {
            await request.RespondAsync(404, cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }

        var account = await _directory.FindUserAsync(peer, cancellationToken).ConfigureAwait(false);
        if (account is not { Enabled: true } && !(account is null && await IsPeerUserAsync(request, peer, cancellationToken).ConfigureAwait(false)))
        {
            await request.RespondAsync(account is null ? 404 : 403, cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }

        if (_byDialog.Values.Count(s => s.User == user) >= _options.MaxImSessionsPerUser)
        {
            await request.RespondAsync(486, "Too many IM sessions", cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }

        var response = request.CreateResponse(200);
        response.Headers.Set(SipHeaderNames.Contact, _outbound.LocalContact(request.Source.Transport, request.Source.Local).ToString());
        response.Headers.Set(SipHeaderNames.Allow, string.Join(", ", SipMethods.Invite, SipMethods.Ack, SipMethods.Bye, SipMethods.Cancel, SipMethods.Message, SipMethods.Info, SipMethods.Options));
        response.ContentType = SdpContentType;
        response.Body = Encoding.ASCII.GetBytes(SdpAnswer(request.Source));

        var dialog = Dialog.CreateAsUas(request.Request, response);
        var session = new ImSession(dialog, user, peer, new SipDestination(request.Source.Transport, request.Source.Remote), _time.GetUtcNow(), request.IsPeer);
        _byDialog[dialog.Id] = session;
        if (_byPeer.TryGetValue((user, peer), out var previous))
        {
            // One conversation per pair, as Lync keeps it: the newer INVITE wins, the old dialog is closed.
            _ = EndWithByeAsync(previous, "replaced by a new INVITE", CancellationToken.None);
        }

        _byPeer[(user, peer)] = session;
        await request.RespondAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A user of the federation peer, invited by a client of this server: the session ends here, and what the client says
    /// in it goes out through the federation gateway (session or page mode by the route's flavour), as an XMPP user's
    /// messages do. Never for the peer's own INVITEs: a recipient on neither side is a loop.
    /// </summary>
    private async ValueTask<bool> IsPeerUserAsync(SipServerRequest request, Jid recipient, CancellationToken cancellationToken)
        => !request.IsPeer && (await _federation.ClassifyAsync(recipient, cancellationToken).ConfigureAwait(false)).Kind == RecipientKind.Peer;

    /// <summary>A re-INVITE (session refresh): answered with the same SDP; 481 for an unknown dialog.</summary>
    private async ValueTask RefreshAsync(SipServerRequest request, CancellationToken cancellationToken)
    {
        if (await FindAsync(request, cancellationToken).ConfigureAwait(false) is null)
        {
            return;
        }

        await request.RespondAsync(200, decorate: response =>
        {
            response.Headers.Set(SipHeaderNames.Contact, _outbound.LocalContact(request.Source.Transport, request.Source.Local).ToString());
            response.ContentType = SdpContentType;
            response.Body = Encoding.ASCII.GetBytes(SdpAnswer(request.Source));
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask ByeAsync(SipServerRequest request, CancellationToken cancellationToken)
    {
        if (await FindAsync(request, cancellationToken).ConfigureAwait(false) is { } session)
        {
            Remove(session, "BYE from the client");
            await request.RespondAsync(200, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask InDialogContentAsync(SipServerRequest request, CancellationToken cancellationToken)
    {
        if (await FindAsync(request, cancellationToken).ConfigureAwait(false) is not { } session)
        {
            return;
        }

        if (!InstantMessageContent.TryRead(request.Request, _options.MaxMessageBodyBytes, out var content, out var status, out var reason))
        {
            await request.RespondAsync(status, reason, r => r.Headers.Set(SipHeaderNames.Accept, InstantMessageContent.AcceptedTypes), cancellationToken).ConfigureAwait(false);
            return;
        }

        session.Touch(_time.GetUtcNow());
        var outcome = await _ingress.RouteAsync(session.User, session.Peer, content!, cancellationToken).ConfigureAwait(false);
        // Stored offline is still accepted in a session: Lync shows a failure for anything but 200.
        await request.RespondAsync(outcome == 202 ? 200 : outcome, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The session of an in-dialog request, checking the CSeq order; answers 481/500 itself when there is none.</summary>
    private async ValueTask<ImSession?> FindAsync(SipServerRequest request, CancellationToken cancellationToken)
    {
        if (!_byDialog.TryGetValue(DialogId.ForIncoming(request.Request), out var session) || session.IsEnded)
        {
            await request.RespondAsync(481, cancellationToken: cancellationToken).ConfigureAwait(false);
            return null;
        }

        if (request.User is { } user && user != session.User)
        {
            await request.RespondAsync(403, "Not a party of this session", cancellationToken: cancellationToken).ConfigureAwait(false);
            return null;
        }

        bool inOrder;
        lock (session.Gate)
        {
            inOrder = session.Dialog.AcceptRemoteSequence(request.Request.CSeq.Number);
        }

        if (!inOrder)
        {
            await request.RespondAsync(500, "CSeq out of order", cancellationToken: cancellationToken).ConfigureAwait(false);
            return null;
        }

        return session;
    }

    private async Task EndIdleSessionsAsync()
    {
        var cutoff = _time.GetUtcNow() - _options.ImSessionIdleTimeout;
        foreach (var session in _byDialog.Values.Where(s => s.LastActivity < cutoff).ToArray())
        {
            await EndWithByeAsync(session, "idle", CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task EndWithByeAsync(ImSession session, string reason, CancellationToken cancellationToken)
    {
        if (!Remove(session, reason))
        {
            return;
        }

        try
        {
            SipRequest bye;
            lock (session.Gate)
            {
                bye = session.Dialog.CreateRequest(SipMethods.Bye);
            }

            await _outbound.SendAsync(bye, session.Destination, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            SipLog.ImSessionEnded(_logger, session.Dialog.Id.CallId, session.User.ToString(), session.Peer.ToString(), "BYE failed: " + ex.Message);
        }
    }

    private bool Remove(ImSession session, string reason)
    {
        if (!session.End())
        {
            return false;
        }

        _byDialog.TryRemove(new KeyValuePair<DialogId, ImSession>(session.Dialog.Id, session));
        _byPeer.TryRemove(new KeyValuePair<(Jid, Jid), ImSession>((session.User, session.Peer), session));
        SipLog.ImSessionEnded(_logger, session.Dialog.Id.CallId, session.User.ToString(), session.Peer.ToString(), reason);
        return true;
    }

    private static bool OffersMessageSession(SipRequest request)
    {
        if (request.ContentType is not { } type || !type.StartsWith(SdpContentType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        foreach (var line in Encoding.UTF8.GetString(request.Body.Span).Split('\n'))
        {
            if (line.TrimEnd('\r').StartsWith("m=message ", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private string SdpAnswer(SipSource source) => MessageSessionSdp(source.Transport, source.Local.Port);
}
