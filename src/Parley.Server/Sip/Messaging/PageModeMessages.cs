using Parley.Server.Sip.Core;
using Parley.Sip.Messages;

namespace Parley.Server.Sip.Messaging;

/// <summary>
/// MESSAGE requests. Page mode (RFC 3428, no To tag): text or isComposing from an authenticated SIP user, or from a user
/// of the trusted federation peer (<see cref="SipServerRequest.IsPeer"/>), becomes a chat message routed by the engine (200 delivered, 202 stored offline, 404 unknown, 403 disabled, 415 other content).
/// A MESSAGE with a To tag belongs to an IM session and goes to <see cref="ImSessions"/>.
/// </summary>
public sealed class PageModeMessages(SipMessageIngress ingress, ImSessions sessions, SipServerOptions options) : ISipRequestHandler
{
    public IReadOnlyCollection<string> Methods { get; } = [SipMethods.Message];

    /// <summary>Routing reads cached directory data; only an undeliverable message is stored, after the wait for the device.</summary>
    public bool WritesToStore => false;

    public async ValueTask HandleAsync(SipServerRequest request, CancellationToken cancellationToken)
    {
        if (request.Request.To.Tag is not null)
        {
            await sessions.HandleInDialogAsync(request, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (request.User is not { } sender)
        {
            // Neither one of our authenticated users nor a user of the trusted federation peer.
            await request.RespondAsync(403, "Messages are accepted from users of this server and its federation peer only", cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }

        if (!SipAddressMapping.TryToJid(request.Request.RequestUri, out var recipient))
        {
            await request.RespondAsync(404, "No such user", cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }

        if (!InstantMessageContent.TryRead(request.Request, options.MaxMessageBodyBytes, out var content, out var status, out var reason))
        {
            await request.RespondAsync(status, reason, r => r.Headers.Set(SipHeaderNames.Accept, InstantMessageContent.AcceptedTypes), cancellationToken).ConfigureAwait(false);
            return;
        }

        var outcome = await ingress.RouteAsync(sender, recipient, content!, cancellationToken).ConfigureAwait(false);
        await request.RespondAsync(outcome, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
