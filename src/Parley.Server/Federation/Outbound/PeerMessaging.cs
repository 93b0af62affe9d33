using System.Collections.Concurrent;
using System.Text;
using Parley.Server.Diagnostics;
using Parley.Server.Management.Documents;
using Parley.Server.Sip.Core;
using Parley.Server.Sip.Messaging;
using Parley.Server.Xmpp;
using Parley.Sip.Dialogs;
using Parley.Sip.Messages;
using Parley.Sip.Parsing;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Stanzas;
using Parley.Xmpp.Xml;

namespace Parley.Server.Federation.Outbound;

/// <summary>
/// The IM half of the gateway to the peer: an XMPP message to a peer user goes in the open IM session of the pair when
/// there is one (whoever opened it), else by the route's flavour: <see cref="PeerFlavour.Lync"/> opens a session
/// (INVITE with <c>m=message</c>, then MESSAGE in the dialog; chat states as INFO with isComposing; BYE after the idle
/// timeout of <see cref="ImSessions"/>), <see cref="PeerFlavour.Generic"/> sends page-mode MESSAGE (isComposing as a
/// MESSAGE body). Group chat has no SIP equivalent here and is refused.
/// </summary>
public sealed class PeerMessaging(PeerOutbound peer, SipOutbound outbound, SipStack stack, ImSessions sessions, IEventLog events, TimeProvider time)
{
    public const string GroupChatRefusal = "group chat is not available across the federation";
    private const string SdpContentType = "application/sdp";

    /// <summary>INVITEs in progress per (peer user, local user): a second message waits for the session the first opens.</summary>
    private readonly ConcurrentDictionary<(Jid Remote, Jid Local), Task<SipResponse?>> _opening = new();

    /// <summary>Sends <paramref name="message"/> from local <paramref name="from"/> to peer user <paramref name="to"/>; the error for the sender, or null.</summary>
    public async Task<Element?> SendAsync(Element message, Jid from, Jid to, PeerRouteSet routes, CancellationToken cancellationToken)
    {
        var type = Stanza.Type(message);
        if (type == "groupchat")
        {
            return StanzaError.CreateReply(message, StanzaErrorCondition.FeatureNotImplemented, GroupChatRefusal, type: StanzaErrorType.Cancel);
        }

        if (type == "error" || InstantMessageContent.FromXmppMessage(message) is not { } content)
        {
            return null; // Errors are not relayed to SIP; a message with nothing SIP can carry is dropped.
        }

        var local = from.Bare;
        var remote = to.Bare;
        if (await sessions.TrySendAsync(remote, local, content, cancellationToken).ConfigureAwait(false) == true)
        {
            return null;
        }

        SipResponse? failure;
        if (routes.Flavour == PeerFlavour.Lync)
        {
            if (content.Text is null)
            {
                return null; // Typing alone does not open a session: nothing would show it before a message.
            }

            failure = await OpenSessionOnceAsync(local, remote, routes, cancellationToken).ConfigureAwait(false);
            if (failure is null && await sessions.TrySendAsync(remote, local, content, cancellationToken).ConfigureAwait(false) != true)
            {
                failure = SipResponse.CreateFor(SipRequest.Create(SipMethods.Message, SipAddressMapping.ToSipUri(remote)), SipStatusCodes.ServiceUnavailable, "IM session ended");
            }
        }
        else
        {
            failure = await SendPageModeAsync(local, remote, content, routes, cancellationToken).ConfigureAwait(false);
        }

        if (failure is null || content.Text is null)
        {
            return null; // A lost typing notification is not worth an error.
        }

        events.Raise(ParleyEvents.Federation.PeerMessageFailed, local, remote, failure.StatusCode, failure.ReasonPhrase);
        return StanzaError.CreateReply(message, ToCondition(failure.StatusCode), $"The federation peer answered {failure.StatusCode} {failure.ReasonPhrase}.");
    }

    private async Task<SipResponse?> SendPageModeAsync(Jid local, Jid remote, InstantMessageContent content, PeerRouteSet routes, CancellationToken cancellationToken)
    {
        var request = outbound.CreateRequest(SipMethods.Message, SipAddressMapping.ToSipUri(remote), SipAddressMapping.ToNameAddress(local), SipAddressMapping.ToNameAddress(remote));
        var (contentType, body) = content.ToSipBody();
        request.ContentType = contentType;
        request.Body = body;
        var response = (await peer.SendAsync(request, routes, cancellationToken).ConfigureAwait(false)).Response;
        return response.IsSuccess ? null : response;
    }

    /// <summary>Opens the session of the pair, or waits for the INVITE already under way; null when a session is open.</summary>
    private async Task<SipResponse?> OpenSessionOnceAsync(Jid local, Jid remote, PeerRouteSet routes, CancellationToken cancellationToken)
    {
        var key = (remote, local);
        var opening = new TaskCompletionSource<SipResponse?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = _opening.GetOrAdd(key, opening.Task);
        if (running != opening.Task)
        {
            return await running.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var failure = await OpenSessionAsync(local, remote, routes, cancellationToken).ConfigureAwait(false);
            opening.SetResult(failure);
            return failure;
        }
        catch (Exception ex)
        {
            opening.SetException(ex);
            throw;
        }
        finally
        {
            _opening.TryRemove(new KeyValuePair<(Jid, Jid), Task<SipResponse?>>(key, opening.Task));
        }
    }

    private async Task<SipResponse?> OpenSessionAsync(Jid local, Jid remote, PeerRouteSet routes, CancellationToken cancellationToken)
    {
        var transport = NextHop.Of(routes.Routes[0]).Transport;
        var invite = outbound.CreateRequest(SipMethods.Invite, SipAddressMapping.ToSipUri(remote), SipAddressMapping.ToNameAddress(local), SipAddressMapping.ToNameAddress(remote));
        invite.Headers.Set(SipHeaderNames.Contact, outbound.PeerContact(transport).ToString());
        invite.Headers.Set(SipHeaderNames.Allow, string.Join(", ", SipMethods.Invite, SipMethods.Ack, SipMethods.Bye, SipMethods.Cancel, SipMethods.Message, SipMethods.Info, SipMethods.Options));
        invite.ContentType = SdpContentType;
        invite.Body = Encoding.ASCII.GetBytes(sessions.MessageSessionSdp(transport, stack.Transport.LocalPort(transport)));
        var result = await peer.SendAsync(invite, routes, cancellationToken).ConfigureAwait(false);
        if (!result.Response.IsSuccess || result.Destination is not { } destination)
        {
            return result.Response;
        }

        Dialog dialog;
        try
        {
            dialog = Dialog.CreateAsUac(invite, result.Response);
        }
        catch (SipParseException ex)
        {
            return SipResponse.CreateFor(invite, SipStatusCodes.BadGateway, "Unusable 2xx: " + ex.Detail);
        }

        // RFC 3261 §13.2.2.4: the UAC core acknowledges a 2xx itself, outside the INVITE transaction.
        await stack.Transactions.SendStatelessAsync(dialog.CreateRequest(SipMethods.Ack), destination, cancellationToken).ConfigureAwait(false);
        sessions.AddOpened(new ImSession(dialog, remote, local, destination, time.GetUtcNow(), isPeer: true));
        return null;
    }

    /// <summary>RFC 7572 §7 in reverse: the SIP failure as the sender's stanza error.</summary>
    private static StanzaErrorCondition ToCondition(int status) => status switch
    {
        404 or 604 or 484 => StanzaErrorCondition.ItemNotFound,
        403 or 603 => StanzaErrorCondition.Forbidden,
        480 or 486 or 600 => StanzaErrorCondition.RecipientUnavailable,
        488 or 415 or 501 => StanzaErrorCondition.FeatureNotImplemented,
        _ => StanzaErrorCondition.ServiceUnavailable,
    };
}
