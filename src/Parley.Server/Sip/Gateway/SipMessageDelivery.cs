using Microsoft.Extensions.Logging;
using Parley.Server.Diagnostics;
using Parley.Server.Messaging;
using Parley.Server.Sessions;
using Parley.Server.Sip.Core;
using Parley.Server.Sip.Messaging;
using Parley.Server.Sip.Registrar;
using Parley.Server.Xmpp;
using Parley.Server.Xmpp.C2s;
using Parley.Sip.Messages;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Xml;

namespace Parley.Server.Sip.Gateway;

/// <summary>
/// Turns an XMPP message for a SIP user into SIP (RFC 7572): in-dialog MESSAGE/INFO when an IM session with the
/// sender is open, else a page-mode MESSAGE to every registered contact at once (delivered once the first accepts). When no contact accepts a message
/// with text (timeout, 480, transport error), it goes to offline storage and comes back at the next registration:
/// nothing is lost. Typing notifications are never stored.
/// </summary>
public sealed class SipMessageDelivery(
    LocationService locations,
    SipOutbound outbound,
    ImSessions imSessions,
    OfflineMessages offline,
    SessionRegistry registry,
    SessionTerminations background,
    IEventLog events,
    ILogger<SipMessageDelivery> logger)
{
    /// <summary>Delivers one message addressed to <paramref name="user"/>'s SIP session; never throws.</summary>
    public async Task DeliverAsync(Jid user, Element message, CancellationToken cancellationToken)
    {
        try
        {
            if (InstantMessageContent.FromXmppMessage(message) is not { } content || !Jid.TryParse(message.GetAttribute("from"), out var from))
            {
                return;
            }

            if (await imSessions.TrySendAsync(user, from.Bare, content, cancellationToken).ConfigureAwait(false) == true)
            {
                return;
            }

            if (!await AnyContactAcceptsAsync(locations.GetBindings(user), from.Bare, content, cancellationToken).ConfigureAwait(false))
            {
                await StoreIfMissedAsync(user, message, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            SipLog.DeliveryFailed(logger, user.ToString(), ex);
            await StoreIfMissedAsync(user, message, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>A message that could not even be queued for SIP delivery goes to offline storage in the background.</summary>
    internal void StoreUndelivered(Jid user, Element message) => background.Track(StoreIfMissedAsync(user, message, CancellationToken.None));

    /// <summary>Sends an XMPP error back to the full JID that sent the request (the only sessions IQs come from).</summary>
    internal void ReplyToIq(Element error)
    {
        if (Jid.TryParse(error.GetAttribute("to"), out var to) && registry.FindSession(to) is { } session)
        {
            session.Deliver(error);
        }
    }

    /// <summary>
    /// Sends to every contact at once and returns as soon as one accepts (true), or when all refused or timed out
    /// (false). A registered device that is off answers nothing for 32 s (timer F): waiting for it would hold this
    /// message, and the user's queue behind it, although the phone in use took it at once. The other attempts run on
    /// to their own final responses.
    /// </summary>
    private async Task<bool> AnyContactAcceptsAsync(IReadOnlyList<Binding> bindings, Jid from, InstantMessageContent content, CancellationToken cancellationToken)
    {
        if (bindings.Count == 1)
        {
            return await SendToBindingAsync(bindings[0], from, content, cancellationToken).ConfigureAwait(false);
        }

        var pending = new List<Task<bool>>(bindings.Count);
        foreach (var binding in bindings)
        {
            pending.Add(SendToBindingAsync(binding, from, content, cancellationToken));
        }

        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending).ConfigureAwait(false);
            pending.Remove(done);
            if (await done.ConfigureAwait(false))
            {
                foreach (var other in pending)
                {
                    // Nobody awaits these any more: observe a failure (cancellation at shutdown) so it is not unobserved.
                    _ = other.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }

                return true;
            }
        }

        return false;
    }

    private async Task<bool> SendToBindingAsync(Binding binding, Jid from, InstantMessageContent content, CancellationToken cancellationToken)
    {
        if (await outbound.ResolveBindingAsync(binding, cancellationToken).ConfigureAwait(false) is not { } destination)
        {
            return false;
        }

        var request = outbound.CreateRequest(SipMethods.Message, binding.Contact, SipAddressMapping.ToNameAddress(from), SipAddressMapping.ToNameAddress(binding.User));
        var (contentType, body) = content.ToSipBody();
        request.ContentType = contentType;
        request.Body = body;
        var response = await outbound.SendAsync(request, destination, cancellationToken).ConfigureAwait(false);
        return response.IsSuccess;
    }

    private async Task StoreIfMissedAsync(Jid user, Element message, CancellationToken cancellationToken)
    {
        try
        {
            // Another available resource (an XMPP client) got the same message from the router: storing would duplicate it.
            if (!OfflineMessages.IsWorthStoring(message) || HasOtherAvailableSession(user))
            {
                return;
            }

            var stored = Stanza.Readdress(message, Jid.TryParse(message.GetAttribute("from"), out var from) ? from : null, user.Bare);
            if (await offline.StoreAsync(user.Bare, stored, cancellationToken).ConfigureAwait(false))
            {
                events.Raise(ParleyEvents.Sip.MessageStoredOffline, user.Bare, message.GetAttribute("id") ?? "no id");
            }
        }
        catch (Exception ex)
        {
            SipLog.DeliveryFailed(logger, user.ToString(), ex);
        }
    }

    private bool HasOtherAvailableSession(Jid user)
        => registry.Find(user.Bare) is { } online
           && online.Sessions.Any(session => session.FullJid.Resource != SipUserSessions.Resource && session.IsAvailable && session.Priority >= 0);
}
