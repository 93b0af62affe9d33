using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Parley.Server.Diagnostics;
using Parley.Server.Presence;
using Parley.Server.Presence.Availability;
using Parley.Server.Presence.Subscriptions;
using Parley.Server.Sessions;
using Parley.Server.Sip.Core;
using Parley.Server.Sip.Gateway;
using Parley.Server.Sip.Presence;
using Parley.Server.Sip.Presence.Pidf;
using Parley.Server.Xmpp;
using Parley.Server.Xmpp.C2s;
using Parley.Server.Xmpp.Routing;
using Parley.Sip.Dialogs;
using Parley.Sip.Messages;
using Parley.Sip.Parsing;
using Parley.Sip.Transport;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Xml;

namespace Parley.Server.Federation.Outbound;

/// <summary>
/// The presence half of the gateway to the peer (the seed's SIP Federation Connection Manager): an XMPP subscribe from
/// a local user to a peer user becomes a SIP SUBSCRIBE (Event: presence, PIDF) by the static route, refreshed before it
/// expires; the peer's NOTIFYs become XMPP presence through the canonical model of <see cref="SipPresenceMapping"/>; the
/// 200 to the SUBSCRIBE is the contact's "subscribed", a 403/404 its "unsubscribed"; an unsubscribe is SUBSCRIBE
/// Expires: 0. The pairs are stored and subscribed again at once after a restart.
/// </summary>
public sealed class PeerPresenceSubscriptions(
    IFederationRouting routing,
    PeerOutbound peer,
    SipOutbound outbound,
    OutboundSubscriptionStore store,
    SubscriptionService engine,
    PresenceService presence,
    PidfReader pidf,
    FederationOutboundOptions options,
    SessionTerminations background,
    IEventLog events,
    TimeProvider time,
    ILogger<PeerPresenceSubscriptions> logger) : ISipRequestHandler, IDialogOwnership
{
    private readonly ConcurrentDictionary<(Jid Local, Jid Remote), PeerSubscription> _byPair = new();
    private readonly ConcurrentDictionary<(string CallId, string LocalTag), PeerSubscription> _byDialog = new();
    private readonly CancellationTokenSource _stopping = new();

    public IReadOnlyCollection<string> Methods { get; } = [SipMethods.Notify];

    /// <summary>A NOTIFY is answered before anything is written (a rejection deletes the stored pair after the answer).</summary>
    public bool WritesToStore => false;

    /// <summary>Subscriptions held (tests and status).</summary>
    public int Count => _byPair.Count;

    /// <summary>The peer user of one of our SUBSCRIBE dialogs (a NOTIFY in it): a peer party, no account check.</summary>
    public DialogParty? OwnerOf(DialogId dialog)
        => _byDialog.TryGetValue((dialog.CallId, dialog.LocalTag), out var subscription) && !subscription.Ended
            ? new DialogParty(subscription.Remote, IsPeer: true)
            : null;

    /// <summary>Subscribes again to every stored pair (after a restart the old dialogs are gone on both sides).</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (local, remote) in await store.LoadAsync(cancellationToken).ConfigureAwait(false))
        {
            var subscription = _byPair.GetOrAdd((local, remote), pair => new PeerSubscription(pair.Local, pair.Remote));
            background.Track(SubscribeInBackgroundAsync(subscription));
        }
    }

    /// <summary>A local user's subscribe to a peer user: stored, then SUBSCRIBE in the background.</summary>
    public async Task SubscribeAsync(Jid local, Jid remote, CancellationToken cancellationToken)
    {
        var subscription = _byPair.GetOrAdd((local.Bare, remote.Bare), pair => new PeerSubscription(pair.Local, pair.Remote));
        await store.SaveAsync(subscription.Local, subscription.Remote, cancellationToken).ConfigureAwait(false);
        background.Track(SubscribeInBackgroundAsync(subscription));
    }

    /// <summary>A local user's unsubscribe: forgotten, and SUBSCRIBE Expires: 0 in the dialog when there is one.</summary>
    public async Task UnsubscribeAsync(Jid local, Jid remote, CancellationToken cancellationToken)
    {
        if (!_byPair.TryRemove((local.Bare, remote.Bare), out var subscription))
        {
            await store.DeleteAsync(local, remote, cancellationToken).ConfigureAwait(false);
            return;
        }

        Dialog? dialog;
        lock (subscription.Gate)
        {
            subscription.Ended = true;
            subscription.Timer?.Dispose();
            dialog = subscription.Dialog;
        }

        await store.DeleteAsync(local, remote, cancellationToken).ConfigureAwait(false);
        SendUnavailableIfShown(subscription);
        if (dialog is not null)
        {
            background.Track(SendInDialogAsync(subscription, dialog, TimeSpan.Zero));
        }

        _byDialog.TryRemove(new KeyValuePair<(string, string), PeerSubscription>(subscription.Key, subscription));
    }

    /// <summary>Answers a local user's probe of a peer contact from the last NOTIFY; false when there is no such subscription.</summary>
    public bool AnswerProbe(Jid remote, Jid local, XmppSession replyTo)
    {
        if (!_byPair.TryGetValue((local.Bare, remote.Bare), out var subscription))
        {
            return false;
        }

        if (subscription.LastPresence is { } last && !replyTo.User.IsBlocking(subscription.Remote))
        {
            LocalDelivery.ToSession(replyTo, last);
        }

        return true;
    }

    public async ValueTask HandleAsync(SipServerRequest request, CancellationToken cancellationToken)
    {
        var message = request.Request;
        if (!_byDialog.TryGetValue((message.CallId, message.To.Tag ?? string.Empty), out var subscription) || subscription.Ended)
        {
            await request.RespondAsync(SipStatusCodes.CallOrTransactionDoesNotExist, cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }

        var state = message.Headers[SipHeaderNames.SubscriptionState];
        if (state is null || !message.Headers.Contains(SipHeaderNames.Event))
        {
            await request.RespondAsync(SipStatusCodes.BadRequest, "NOTIFY needs Event and Subscription-State", cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }

        lock (subscription.Gate)
        {
            if (subscription.Dialog is { } dialog)
            {
                if (!dialog.AcceptRemoteSequence(message.CSeq.Number))
                {
                    state = null;
                }
                else
                {
                    dialog.RefreshRemoteTarget(message);
                }
            }
        }

        if (state is null)
        {
            await request.RespondAsync(SipStatusCodes.ServerInternalError, "CSeq out of order", cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }

        PresenceState? read = null;
        if (!message.Body.IsEmpty)
        {
            try
            {
                read = SipPresenceMapping.ToState(pidf.Read(message.Body.Span));
            }
            catch (PidfFormatException ex)
            {
                FederationOutboundLog.NotifyUnreadable(logger, subscription.Remote.ToString(), subscription.Local.ToString(), ex.Message);
                await request.RespondAsync(SipStatusCodes.BadRequest, "Unreadable PIDF document", cancellationToken: cancellationToken).ConfigureAwait(false);
                return;
            }
        }

        await request.RespondAsync(SipStatusCodes.Ok, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (read is not null)
        {
            Deliver(subscription, SipPresenceMapping.ToXmppPresence(read));
        }

        var (value, reason) = ParseState(state);
        if (value == "terminated")
        {
            await Task.Yield(); // What follows may write to the store: off the transport's receive thread.
            await TerminatedAsync(subscription, reason, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops timers and probes (node shutdown); requests under way see their token cancelled.</summary>
    public async ValueTask StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var subscription in _byPair.Values)
        {
            lock (subscription.Gate)
            {
                subscription.Timer?.Dispose();
            }
        }

    }

    private async Task TerminatedAsync(PeerSubscription subscription, string? reason, CancellationToken cancellationToken)
    {
        lock (subscription.Gate)
        {
            subscription.Dialog = null;
        }

        _byDialog.TryRemove(new KeyValuePair<(string, string), PeerSubscription>(subscription.Key, subscription));
        if (reason is "rejected" or "noresource")
        {
            // RFC 6665 §4.1.3: do not subscribe again; the contact said no (or is gone).
            await RefusedAsync(subscription, $"terminated;reason={reason}", cancellationToken).ConfigureAwait(false);
            return;
        }

        // timeout, deactivated, probation, giveup or none: RFC 6665 §4.1.3 lets us subscribe again at once.
        if (!subscription.Ended)
        {
            background.Track(SubscribeInBackgroundAsync(subscription));
        }
    }

    private async Task SubscribeInBackgroundAsync(PeerSubscription subscription)
    {
        try
        {
            await SubscribeNowAsync(subscription, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            FederationOutboundLog.SubscriptionFailed(logger, subscription.Local.ToString(), subscription.Remote.ToString(), ex);
            ScheduleRetry(subscription);
        }
    }

    /// <summary>A new SUBSCRIBE (new dialog) by the current route, and what its answer means for the XMPP user.</summary>
    private async Task SubscribeNowAsync(PeerSubscription subscription, CancellationToken cancellationToken)
    {
        if (subscription.Ended)
        {
            return;
        }

        var classification = await routing.ClassifyAsync(subscription.Remote, cancellationToken).ConfigureAwait(false);
        if (classification.Routes is not { } routes)
        {
            // No route (event raised) or no longer a peer user: kept, tried again later (the route may be added).
            FederationOutboundLog.Subscription(logger, subscription.Local.ToString(), subscription.Remote.ToString(), $"not sent: {classification.Kind}");
            ScheduleRetry(subscription);
            return;
        }

        var request = outbound.CreateRequest(SipMethods.Subscribe, SipAddressMapping.ToSipUri(subscription.Remote),
            SipAddressMapping.ToNameAddress(subscription.Local), SipAddressMapping.ToNameAddress(subscription.Remote));
        Decorate(request, NextHop.Of(routes.Routes[0]).Transport, options.SubscriptionExpires);
        var key = (request.CallId, request.From.Tag!);
        lock (subscription.Gate)
        {
            _byDialog.TryRemove(new KeyValuePair<(string, string), PeerSubscription>(subscription.Key, subscription));
            subscription.Key = key;
            subscription.Dialog = null;
        }

        _byDialog[key] = subscription; // Before sending: the peer's first NOTIFY may overtake its 200.
        var result = await peer.SendAsync(request, routes, cancellationToken).ConfigureAwait(false);
        var response = result.Response;
        if (response.IsSuccess)
        {
            Dialog? dialog = null;
            try
            {
                dialog = Dialog.CreateAsUac(request, response);
            }
            catch (SipParseException)
            {
                // A 2xx without a usable Contact: NOTIFYs still work; the refresh then starts a new subscription.
            }

            lock (subscription.Gate)
            {
                if (subscription.Key == key)
                {
                    subscription.Dialog = dialog;
                }
            }

            FederationOutboundLog.Subscription(logger, subscription.Local.ToString(), subscription.Remote.ToString(), "subscribed");
            subscription.FailureReported = false;
            ScheduleRefresh(subscription, Granted(response));
            await engine.HandleInboundAsync(subscription.Remote, subscription.Local, "subscribed",
                Stanza.Presence(subscription.Remote, subscription.Local, "subscribed"), cancellationToken).ConfigureAwait(false);
            return;
        }

        _byDialog.TryRemove(new KeyValuePair<(string, string), PeerSubscription>(key, subscription));
        if (IsRefusal(response.StatusCode))
        {
            events.Raise(ParleyEvents.Federation.PeerSubscriptionFailed, subscription.Local, subscription.Remote, response.StatusCode, response.ReasonPhrase);
            await RefusedAsync(subscription, $"{response.StatusCode} {response.ReasonPhrase}", cancellationToken).ConfigureAwait(false);
            return;
        }

        ReportFailureOnce(subscription, response);
        ScheduleRetry(subscription);
    }

    /// <summary>Refresh (or Expires: 0 for an unsubscribe) in the dialog; a 481 starts a new subscription.</summary>
    private async Task SendInDialogAsync(PeerSubscription subscription, Dialog dialog, TimeSpan expires)
    {
        try
        {
            var classification = await routing.ClassifyAsync(subscription.Remote, _stopping.Token).ConfigureAwait(false);
            if (classification.Routes is not { } routes)
            {
                if (expires > TimeSpan.Zero)
                {
                    ScheduleRetry(subscription);
                }

                return;
            }

            var request = dialog.CreateRequest(SipMethods.Subscribe);
            Decorate(request, NextHop.Of(routes.Routes[0]).Transport, expires);
            var response = (await peer.SendAsync(request, routes, _stopping.Token).ConfigureAwait(false)).Response;
            if (expires == TimeSpan.Zero || subscription.Ended)
            {
                return;
            }

            if (response.IsSuccess)
            {
                subscription.FailureReported = false;
                ScheduleRefresh(subscription, Granted(response));
            }
            else if (response.StatusCode == SipStatusCodes.CallOrTransactionDoesNotExist)
            {
                await SubscribeNowAsync(subscription, _stopping.Token).ConfigureAwait(false);
            }
            else
            {
                ReportFailureOnce(subscription, response);
                ScheduleRetry(subscription);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            FederationOutboundLog.SubscriptionFailed(logger, subscription.Local.ToString(), subscription.Remote.ToString(), ex);
        }
    }

    /// <summary>The contact refused: the XMPP user gets "unsubscribed" (RFC 7248 §6.4) and the pair is forgotten.</summary>
    private async Task RefusedAsync(PeerSubscription subscription, string why, CancellationToken cancellationToken)
    {
        lock (subscription.Gate)
        {
            subscription.Ended = true;
            subscription.Timer?.Dispose();
        }

        _byPair.TryRemove(new KeyValuePair<(Jid, Jid), PeerSubscription>((subscription.Local, subscription.Remote), subscription));
        await store.DeleteAsync(subscription.Local, subscription.Remote, cancellationToken).ConfigureAwait(false);
        SendUnavailableIfShown(subscription);
        FederationOutboundLog.Subscription(logger, subscription.Local.ToString(), subscription.Remote.ToString(), "refused: " + why);
        await engine.HandleInboundAsync(subscription.Remote, subscription.Local, "unsubscribed",
            Stanza.Presence(subscription.Remote, subscription.Local, "unsubscribed"), cancellationToken).ConfigureAwait(false);
    }

    private void Deliver(PeerSubscription subscription, Element mapped)
    {
        var from = SipUserSessions.SessionJid(subscription.Remote);
        var stamped = Stanza.Readdress(mapped, from, subscription.Local);
        lock (subscription.Gate)
        {
            if (subscription.Ended)
            {
                return;
            }

            subscription.LastPresence = stamped;
        }

        presence.DeliverTo(subscription.Local, stamped);
    }

    private void SendUnavailableIfShown(PeerSubscription subscription)
    {
        if (subscription.IsAvailable)
        {
            presence.DeliverTo(subscription.Local, Stanza.Presence(SipUserSessions.SessionJid(subscription.Remote), subscription.Local, "unavailable"));
        }
    }

    private void ReportFailureOnce(PeerSubscription subscription, SipResponse response)
    {
        if (!subscription.FailureReported)
        {
            subscription.FailureReported = true;
            events.Raise(ParleyEvents.Federation.PeerSubscriptionFailed, subscription.Local, subscription.Remote, response.StatusCode, response.ReasonPhrase);
        }
    }

    private void ScheduleRefresh(PeerSubscription subscription, TimeSpan granted)
    {
        // RFC 6665 §4.1.2.2: refresh before it runs out; a tenth of the duration (at least 5 s) leaves room for a retry.
        var margin = TimeSpan.FromTicks(Math.Max(granted.Ticks / 10, TimeSpan.FromSeconds(5).Ticks));
        var due = granted > margin ? granted - margin : granted / 2;
        Arm(subscription, due, refresh: true);
    }

    private void ScheduleRetry(PeerSubscription subscription) => Arm(subscription, options.SubscriptionRetry, refresh: false);

    private void Arm(PeerSubscription subscription, TimeSpan due, bool refresh)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        lock (subscription.Gate)
        {
            if (subscription.Ended)
            {
                return;
            }

            subscription.Timer?.Dispose();
            subscription.Timer = time.CreateTimer(_ =>
            {
                Dialog? dialog;
                lock (subscription.Gate)
                {
                    dialog = refresh ? subscription.Dialog : null;
                }

                background.Track(dialog is null ? SubscribeInBackgroundAsync(subscription) : SendInDialogAsync(subscription, dialog, options.SubscriptionExpires));
            }, null, due, Timeout.InfiniteTimeSpan);
        }
    }

    private TimeSpan Granted(SipResponse response)
        => response.Expires is { } seconds && seconds > 0 ? TimeSpan.FromSeconds(seconds) : options.SubscriptionExpires;

    private void Decorate(SipRequest request, SipTransportKind transport, TimeSpan expires)
    {
        request.Headers.Set(SipHeaderNames.Event, PresenceRequestRules.EventPackage);
        request.Headers.Set(SipHeaderNames.Accept, PidfNamespaces.MediaType);
        request.Headers.Set(SipHeaderNames.Expires, ((long)expires.TotalSeconds).ToString(CultureInfo.InvariantCulture));
        request.Headers.Set(SipHeaderNames.Contact, outbound.PeerContact(transport).ToString());
    }

    /// <summary>Answers that say the contact will not be seen (RFC 7248 §6.4): no retry, the XMPP user is told.</summary>
    private static bool IsRefusal(int status) => status is 403 or 404 or 484 or 489 or 603 or 604;

    private static (string Value, string? Reason) ParseState(string header)
    {
        var parts = header.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        string? reason = null;
        foreach (var parameter in parts.Skip(1))
        {
            if (parameter.StartsWith("reason=", StringComparison.OrdinalIgnoreCase))
            {
                reason = parameter[7..].ToLowerInvariant();
            }
        }

        return (parts.Length > 0 ? parts[0].ToLowerInvariant() : string.Empty, reason);
    }
}
