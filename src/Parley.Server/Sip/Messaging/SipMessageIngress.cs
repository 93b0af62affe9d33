using Parley.Server.Directory;
using Parley.Server.Federation.Outbound;
using Parley.Server.Messaging;
using Parley.Server.Privacy;
using Parley.Server.Sessions;
using Parley.Server.Sip.Gateway;
using Parley.Sip.Transactions;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Sip.Messaging;

/// <summary>
/// Instant messages from SIP users into the engine: the content becomes a &lt;message type='chat'&gt; from
/// user@domain/sip and is routed by <see cref="MessageRouter"/> exactly as an XMPP client's message (privacy lists,
/// offline storage, resource selection). The outcome is a SIP status (RFC 3428 §7, RFC 7572 §5). The sender may be a
/// user of the federation peer (a non-local JID); a local SIP user's message to a peer user goes through the router to
/// the federation gateway.
/// </summary>
public sealed class SipMessageIngress(MessageRouter router, IUserDirectory directory, SessionRegistry registry, PrivacyCheck privacy, IFederationRouting federation, RandomTokens tokens)
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
            return await ToPeerAsync(sender, recipient, content, cancellationToken).ConfigureAwait(false) ?? 404;
        }

        if (!account.Enabled)
        {
            return 403;
        }

        var from = SipUserSessions.SessionJid(sender);
        var message = content.ToXmppMessage(from, recipient.Bare, tokens.NewHex(8));
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

    /// <summary>
    /// A local user's message to a user of the federation peer: the SIP status of the router's answer; null when the
    /// recipient is no peer user. A peer sender is never routed back to the peer (that would be a loop).
    /// </summary>
    private async Task<int?> ToPeerAsync(Jid sender, Jid recipient, InstantMessageContent content, CancellationToken cancellationToken)
    {
        var classification = await federation.ClassifyAsync(recipient, cancellationToken).ConfigureAwait(false);
        if (classification.Kind is not (RecipientKind.Peer or RecipientKind.NoRoute)
            || await directory.FindUserAsync(sender.Bare, cancellationToken).ConfigureAwait(false) is not { Enabled: true })
        {
            return null;
        }

        var from = SipUserSessions.SessionJid(sender);
        var message = content.ToXmppMessage(from, recipient.Bare, tokens.NewHex(8));
        var error = await router.DeliverAsync(message, from, recipient.Bare, cancellationToken).ConfigureAwait(false);
        return error is null ? 200 : XmppErrorMapping.ToSipStatus(error);
    }

    private bool IsOnline(Jid recipient)
        => registry.Find(recipient) is { } user && user.Sessions.Any(session => session.IsAvailable && session.Priority >= 0);
}
