using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Parley.Server.Diagnostics;
using Parley.Server.Presence.Subscriptions;
using Parley.Server.Roster;
using Parley.Server.Sip.Core;
using Parley.Server.Sip.Presence.Pidf;
using Parley.Server.Sip.Presence.Subscriptions;
using Parley.Server.Sip.Registrar;
using Parley.Server.Xmpp;
using Parley.Sip.Messages;
using Parley.Xmpp;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Xml;

namespace Parley.Server.Sip.Presence;

/// <summary>
/// SUBSCRIBE for the presence event (RFC 6665, RFC 3856): new subscriptions, refreshes, unsubscribes and fetches.
/// A new subscription is the watcher's presence subscribe through the XMPP engine's <see cref="SubscriptionService"/>
/// (auto-approve, allow list, pre-approval, limits, pending requests the presentity decides on); every SUBSCRIBE that
/// gets this far is answered 200 (RFC 6665 deprecates 202: "pending" is said by the NOTIFY), and what the watcher
/// sees follows from the engine's decision (<see cref="SipWatcherAuthorization"/>). A presentity that does not exist
/// in a hosted domain is treated like one that denied the request — a closed document — exactly as the XMPP side
/// answers a subscribe to a missing user the same way as a denial, so neither protocol tells a local user which
/// accounts exist.
/// </summary>
public sealed class SipPresenceServer(
    SipSubscriptionRegistry subscriptions,
    SipPresenceService service,
    SubscriptionService engine,
    SipWatcherAuthorization authorization,
    RosterEditor rosters,
    ISipSubscriptionStore store,
    SipOutbound outbound,
    SipPresenceOptions options,
    IEventLog events,
    TimeProvider time,
    ILogger<SipPresenceServer> logger) : ISipRequestHandler
{
    public IReadOnlyCollection<string> Methods { get; } = [SipMethods.Subscribe];

    /// <summary>A subscription is persisted (it survives a restart).</summary>
    public bool WritesToStore => true;

    public async ValueTask HandleAsync(SipServerRequest request, CancellationToken cancellationToken)
    {
        var message = request.Request;
        if (request.User is not { } watcher)
        {
            await RefuseAsync(request, new PresenceRefusal(SipStatusCodes.Forbidden, "Subscription needs authentication"), cancellationToken).ConfigureAwait(false);
            return;
        }

        var granted = TimeSpan.Zero;
        var refusal = PresenceRequestRules.CheckEvent(message, out var eventId) ?? CheckAccept(message);
        refusal ??= PresenceRequestRules.CheckExpires(message, options, out granted);
        if (refusal is not null)
        {
            await RefuseAsync(request, refusal, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (message.To.Tag is not null)
        {
            await RefreshAsync(request, watcher, granted, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await SubscribeAsync(request, watcher, eventId, granted, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SubscribeAsync(SipServerRequest request, Jid watcher, string? eventId, TimeSpan granted, CancellationToken cancellationToken)
    {
        var message = request.Request;
        if (!SipAddressMapping.TryToJid(message.RequestUri, out var presentity))
        {
            await RefuseAsync(request, new PresenceRefusal(SipStatusCodes.NotFound, "Not a presentity address"), cancellationToken).ConfigureAwait(false);
            return;
        }

        var secure = request.Source.IsSecure || message.RequestUri.Scheme == "sips";
        if (SubscriptionDialog.CreateAsNotifier(message, request.ToTag, secure) is not { } dialog)
        {
            await RefuseAsync(request, new PresenceRefusal(SipStatusCodes.BadRequest, "SUBSCRIBE needs a From tag and exactly one Contact"), cancellationToken).ConfigureAwait(false);
            return;
        }

        var now = time.GetUtcNow();
        var subscription = new SipSubscription(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), watcher, presentity, dialog,
            SipFlow.From(request.Source), message.Headers[SipHeaderNames.Accept], eventId, now + granted);
        if (granted > TimeSpan.Zero && subscriptions.CountFor(watcher) >= options.MaxSubscriptionsPerWatcher)
        {
            await RefuseLimitAsync(request, watcher, presentity, cancellationToken).ConfigureAwait(false);
            return;
        }

        // A pair the engine already approved on both sides needs nothing from it: a subscribe would change no roster
        // (RFC 6121 §3.1.3, the server answers for the user) and only cost lookups, writes and stanzas on every SUBSCRIBE.
        var view = await ApprovedViewAsync(watcher, presentity, cancellationToken).ConfigureAwait(false);
        if (view is null && watcher != presentity
            && await engine.HandleOutboundAsync(watcher, Stanza.Presence(watcher, presentity, "subscribe"), "subscribe", presentity, cancellationToken).ConfigureAwait(false) is { } error)
        {
            // The watcher's own limit (contact list full): the engine raised the event and says why.
            var text = StanzaErrorText(error) ?? "Subscription refused by policy";
            await RefuseAsync(request, new PresenceRefusal(SipStatusCodes.Forbidden, "Contact list full", SipHeaderNames.Warning, Warning(request, text)), cancellationToken).ConfigureAwait(false);
            return;
        }

        if (granted == TimeSpan.Zero)
        {
            // A fetch (RFC 6665 §4.4.3): authorised like any subscription, then the state once in a terminating
            // NOTIFY; no dialog is kept and nothing is stored. The view is read after the engine's decision (the first
            // fetch of a watcher is its request, approved or not by then), or reused when it needed no decision.
            await RespondAsync(request, 0, cancellationToken).ConfigureAwait(false);
            service.Fetch(subscription, view);
            return;
        }

        // The first NOTIFY waits for the 200 (the gate is held until it is sent), whatever the engine triggered meanwhile.
        await subscription.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!subscriptions.TryAdd(subscription, options.MaxSubscriptionsPerWatcher))
            {
                await RefuseLimitAsync(request, watcher, presentity, cancellationToken).ConfigureAwait(false);
                return;
            }

            await store.SaveAsync(subscription, cancellationToken).ConfigureAwait(false);
            await RespondAsync(request, (long)granted.TotalSeconds, cancellationToken).ConfigureAwait(false);
            SipPresenceLog.Subscribed(logger, watcher.ToString(), presentity.ToString(), "subscribed");
        }
        finally
        {
            subscription.Gate.Release();
        }

        service.Notify(subscription, force: true);
    }

    private async Task RefreshAsync(SipServerRequest request, Jid watcher, TimeSpan granted, CancellationToken cancellationToken)
    {
        var message = request.Request;
        var key = new SubscriptionKey(message.CallId, message.To.Tag!, message.From.Tag ?? string.Empty);
        if (subscriptions.Find(key) is not { } subscription)
        {
            await request.RespondAsync(SipStatusCodes.CallOrTransactionDoesNotExist, "Subscription does not exist", cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }

        if (subscription.Watcher != watcher)
        {
            await RefuseAsync(request, new PresenceRefusal(SipStatusCodes.Forbidden, "Not your subscription"), cancellationToken).ConfigureAwait(false);
            return;
        }

        await subscription.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (subscription.Ended)
            {
                await request.RespondAsync(SipStatusCodes.CallOrTransactionDoesNotExist, "Subscription does not exist", cancellationToken: cancellationToken).ConfigureAwait(false);
                return;
            }

            if (!subscription.Dialog.AcceptRemoteSequence(message.CSeq.Number))
            {
                await request.RespondAsync(SipStatusCodes.ServerInternalError, "CSeq out of order", cancellationToken: cancellationToken).ConfigureAwait(false);
                return;
            }

            if (SubscriptionDialog.TargetOf(message) is { } target)
            {
                subscription.Dialog.RefreshTarget(target);
            }

            subscription.Flow = SipFlow.From(request.Source);
            subscription.Expires = time.GetUtcNow() + granted;
            if (granted > TimeSpan.Zero)
            {
                subscription.StoredLocalSequence = subscription.Dialog.LocalSequence;
                await store.SaveAsync(subscription, cancellationToken).ConfigureAwait(false);
            }

            await RespondAsync(request, (long)granted.TotalSeconds, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            subscription.Gate.Release();
        }

        SipPresenceLog.Subscribed(logger, watcher.ToString(), subscription.Presentity.ToString(), granted == TimeSpan.Zero ? "unsubscribed" : "refreshed");
        if (granted == TimeSpan.Zero)
        {
            service.End(subscription, SubscriptionEndReason.Timeout, withState: true);
        }
        else
        {
            service.Notify(subscription, force: true);
        }
    }

    /// <summary>
    /// <see cref="WatcherView.Allowed"/> when the watcher is the presentity, or the presentity lets the watcher see
    /// them and the watcher's roster already says so (subscription "to" or "both"); null when the engine must decide.
    /// </summary>
    private async ValueTask<WatcherView?> ApprovedViewAsync(Jid watcher, Jid presentity, CancellationToken cancellationToken)
    {
        var view = await authorization.ViewAsync(watcher, presentity, cancellationToken).ConfigureAwait(false);
        if (view != WatcherView.Allowed)
        {
            return null;
        }

        if (watcher.Bare == presentity.Bare)
        {
            return view;
        }

        // Both halves are checked: after a half-finished change only the engine's subscribe brings them back in line.
        var own = await rosters.GetOrEmptyAsync(watcher.Bare, presentity.Bare, cancellationToken).ConfigureAwait(false);
        return own.IsWatched ? view : null;
    }

    private ValueTask RespondAsync(SipServerRequest request, long expires, CancellationToken cancellationToken)
        => request.RespondAsync(SipStatusCodes.Ok, decorate: response =>
        {
            response.Headers.Set(SipHeaderNames.Expires, expires.ToString(CultureInfo.InvariantCulture));
            response.Headers.Set(SipHeaderNames.Contact, outbound.LocalContact(request.Source.Transport, request.Source.Local).ToString());
        }, cancellationToken: cancellationToken);

    /// <summary>RFC 3856 §6.6: PIDF is the format every presence watcher must accept; refuse only a list that excludes it.</summary>
    private static PresenceRefusal? CheckAccept(SipRequest message)
    {
        var ranges = message.Headers.GetValues(SipHeaderNames.Accept);
        if (ranges.Count == 0)
        {
            return null;
        }

        foreach (var range in ranges)
        {
            var type = range.Split(';')[0].Trim();
            if (type.Equals(PidfNamespaces.MediaType, StringComparison.OrdinalIgnoreCase)
                || type.Equals("application/*", StringComparison.OrdinalIgnoreCase) || type == "*/*")
            {
                return null;
            }
        }

        return new PresenceRefusal(SipStatusCodes.NotAcceptable, "Not Acceptable", SipHeaderNames.Accept, PidfNamespaces.MediaType);
    }

    private async Task RefuseLimitAsync(SipServerRequest request, Jid watcher, Jid presentity, CancellationToken cancellationToken)
    {
        events.Raise(ParleyEvents.SipPresence.SubscriptionLimitReached, watcher, options.MaxSubscriptionsPerWatcher, presentity);
        await request.RespondAsync(SipStatusCodes.Forbidden, "Too many subscriptions", cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private async Task RefuseAsync(SipServerRequest request, PresenceRefusal refusal, CancellationToken cancellationToken)
    {
        var message = request.Request;
        events.Raise(ParleyEvents.SipPresence.SubscriptionRefused, request.User?.ToString() ?? $"{(message.TryGetFrom(out var from) ? from.Uri.ToString() : "?")} at {request.Source.Remote}",
            message.RequestUri, refusal.Status, refusal.Reason);
        await request.RespondAsync(refusal.Status, refusal.Reason, refusal.Decorate, cancellationToken).ConfigureAwait(false);
    }

    private static string? StanzaErrorText(Element error)
        => error.Child("error", error.Namespace)?.ChildText("text", XmppNamespaces.Stanzas);

    /// <summary>RFC 3261 §20.43: 399 (miscellaneous) with this host and the quoted text.</summary>
    private string Warning(SipServerRequest request, string text)
        => $"399 {outbound.LocalContact(request.Source.Transport).Uri.HostReference} \"{text.Replace("\"", "'", StringComparison.Ordinal)}\"";
}
