using System.Security.Cryptography;
using Parley.Server.Directory;
using Parley.Server.Messaging;
using Parley.Server.Privacy;
using Parley.Server.Sessions;
using Parley.Server.Sip.Gateway;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Sip.Messaging;

/// <summary>
/// Instant messages from SIP users into the engine: the content becomes a &lt;message type='chat'&gt; from
/// user@domain/sip and is routed by <see cref="MessageRouter"/> exactly as an XMPP client's message (privacy lists,
/// offline storage, resource selection). The outcome is a SIP status (RFC 3428 §7, RFC 7572 §5).
/// </summary>
public sealed class SipMessageIngress(MessageRouter router, IUserDirectory directory, SessionRegistry registry, PrivacyCheck privacy)
{
    /// <summary>
    /// Routes <paramref name="content"/> from <paramref name="sender"/> to <paramref name="recipient"/>. Returns 200 when a
    /// session of the recipient took it, 202 when it was stored offline, 404 for an unknown user, 403 for a disabled
    /// one, or the RFC 7247 mapping of the router's error.
    /// </summary>
    public async Task<int> RouteAsync(Jid sender, Jid recipient, InstantMessageContent content, CancellationToken cancellationToken)
    {
        var account = await directory.FindUserAsync(recipient.Bare, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            return 404;
        }

        if (!account.Enabled)
        {
            return 403;
        }

        var from = SipUserSessions.SessionJid(sender);
        var message = content.ToXmppMessage(from, recipient.Bare, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        var online = IsOnline(recipient.Bare);
        var error = registry.FindSession(from) is { } session
            ? await router.RouteFromClientAsync(session, message, recipient.Bare, cancellationToken).ConfigureAwait(false)
            : await privacy.IsBlockingAsync(sender.Bare, recipient.Bare, cancellationToken).ConfigureAwait(false)
                ? Parley.Xmpp.Stanzas.StanzaError.CreateReply(message, Parley.Xmpp.Stanzas.StanzaErrorCondition.NotAcceptable, "You have blocked this contact.")
                : await router.DeliverAsync(message, from, recipient.Bare, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return XmppErrorMapping.ToSipStatus(error);
        }

        // Typing notifications are never stored: "accepted" is all the sender needs to know.
        return online || content.Text is null ? 200 : 202;
    }

    private bool IsOnline(Jid recipient)
        => registry.Find(recipient) is { } user && user.Sessions.Any(session => session.IsAvailable && session.Priority >= 0);
}
