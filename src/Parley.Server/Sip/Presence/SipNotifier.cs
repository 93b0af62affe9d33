using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Parley.Server.Diagnostics;
using Parley.Server.Sip.Core;
using Parley.Server.Sip.Presence.Pidf;
using Parley.Server.Sip.Presence.Subscriptions;
using Parley.Sip.Messages;
using Parley.Sip.Transport;

namespace Parley.Server.Sip.Presence;

/// <summary>
/// Sends the NOTIFYs of SIP presence subscriptions (RFC 6665 §4.2.2, RFC 3856 §6.6): the current view whenever it
/// changed (always after a subscribe or refresh), and the final "terminated" one. Failures are handled as RFC 6665
/// §4.2.2 asks: 481 ends the subscription at once; timeouts and errors are counted and the subscription is kept for
/// the next change until <see cref="SipPresenceOptions.MaxNotifyFailures"/> in a row, then dropped.
/// </summary>
public sealed class SipNotifier(
    SipOutbound outbound,
    SipWatcherAuthorization authorization,
    SipPresenceDocuments documents,
    SipSubscriptionRegistry registry,
    ISipSubscriptionStore store,
    SipPresenceOptions options,
    IEventLog events,
    TimeProvider time,
    ILogger<SipNotifier> logger)
{
    /// <summary>
    /// The local CSeq is written to storage only when it passed the stored value by this much; a restored dialog
    /// continues this far beyond the stored value, so its NOTIFYs stay in order without a write per NOTIFY.
    /// </summary>
    public const uint CSeqCheckpoint = 100;

    /// <summary>Sends the current view if it changed since the watcher's last NOTIFY, or in any case when <paramref name="force"/>.</summary>
    public async Task NotifyAsync(SipSubscription subscription, bool force, CancellationToken cancellationToken)
    {
        if (!subscription.TryQueue(force))
        {
            return;
        }

        await subscription.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            force = subscription.Dequeue();
            if (subscription.Ended)
            {
                return;
            }

            var now = time.GetUtcNow();
            if (subscription.Expires <= now)
            {
                await EndLockedAsync(subscription, SubscriptionEndReason.Timeout, withState: false, knownView: null, cancellationToken).ConfigureAwait(false);
                return;
            }

            var view = await authorization.ViewAsync(subscription.Watcher, subscription.Presentity, cancellationToken).ConfigureAwait(false);
            if (view == WatcherView.Revoked)
            {
                await EndLockedAsync(subscription, SubscriptionEndReason.Rejected, withState: false, knownView: null, cancellationToken).ConfigureAwait(false);
                return;
            }

            var body = view == WatcherView.Pending ? null : documents.Compose(subscription.Presentity, view);
            var seconds = SecondsLeft(subscription, now);
            var state = view == WatcherView.Pending ? $"pending;expires={seconds}" : $"active;expires={seconds}";
            var fingerprint = Fingerprint(view, body);
            if (!force && fingerprint == subscription.LastNotified)
            {
                return;
            }

            if (await SendLockedAsync(subscription, state, body, final: false, cancellationToken).ConfigureAwait(false))
            {
                subscription.LastNotified = fingerprint;
            }
        }
        finally
        {
            subscription.Gate.Release();
        }
    }

    /// <summary>
    /// Ends the subscription: removes it and sends "terminated" with the reason; with <paramref name="withState"/> the
    /// NOTIFY carries the current view (an unsubscribe or a fetch, RFC 6665 §4.4.3, gets the state it asked for).
    /// </summary>
    /// <param name="knownView">The watcher's view when the caller has just read it (a fetch), so it is not read twice.</param>
    public async Task EndAsync(SipSubscription subscription, SubscriptionEndReason reason, bool withState, WatcherView? knownView, CancellationToken cancellationToken)
    {
        await subscription.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EndLockedAsync(subscription, reason, withState, knownView, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            subscription.Gate.Release();
        }
    }

    private async Task EndLockedAsync(SipSubscription subscription, SubscriptionEndReason reason, bool withState, WatcherView? knownView, CancellationToken cancellationToken)
    {
        if (subscription.Ended)
        {
            return;
        }

        await ForgetAsync(subscription, cancellationToken).ConfigureAwait(false);
        byte[]? body = null;
        if (withState)
        {
            var view = knownView ?? await authorization.ViewAsync(subscription.Watcher, subscription.Presentity, cancellationToken).ConfigureAwait(false);
            body = view is WatcherView.Pending or WatcherView.Revoked ? null : documents.Compose(subscription.Presentity, view);
        }

        var token = reason switch
        {
            SubscriptionEndReason.Timeout => "timeout",
            SubscriptionEndReason.Deactivated => "deactivated",
            SubscriptionEndReason.NoResource => "noresource",
            SubscriptionEndReason.Rejected => "rejected",
            _ => throw new InvalidOperationException($"Internal error: no Subscription-State reason for {reason}."),
        };
        await SendLockedAsync(subscription, "terminated;reason=" + token, body, final: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends one NOTIFY and applies its outcome; true when the watcher accepted it.</summary>
    private async Task<bool> SendLockedAsync(SipSubscription subscription, string state, byte[]? body, bool final, CancellationToken cancellationToken)
    {
        // A stream the SUBSCRIBE came on that is gone (closed, or from before a restart) usually ended at an ephemeral
        // port nobody listens on: the route set or the watcher's Contact is the path then, not a failed try first.
        var flow = subscription.Flow;
        var target = flow.Transport != SipTransportKind.Udp && flow.Connection is not { IsOpen: true }
            ? await TargetDestinationAsync(subscription, cancellationToken).ConfigureAwait(false)
            : null;
        var response = await SendOnceAsync(subscription, state, body, target ?? new SipDestination(flow.Transport, flow.Remote), cancellationToken).ConfigureAwait(false);
        if (target is null && IsTransportFailure(response) && await TargetDestinationAsync(subscription, cancellationToken).ConfigureAwait(false) is { } fallback)
        {
            // The flow failed now (its connection just closed): try the watcher's Contact as a new path.
            response = await SendOnceAsync(subscription, state, body, fallback, cancellationToken).ConfigureAwait(false);
        }

        if (response.IsSuccess)
        {
            subscription.Failures = 0;
            return true;
        }

        if (final)
        {
            return false; // Already removed: nothing is retried for a goodbye.
        }

        if (response.StatusCode == SipStatusCodes.CallOrTransactionDoesNotExist)
        {
            events.Raise(ParleyEvents.SipPresence.SubscriptionGoneAtWatcher, subscription.Watcher, subscription.Presentity);
            await ForgetAsync(subscription, cancellationToken).ConfigureAwait(false);
            return false;
        }

        subscription.Failures++;
        var failure = $"{response.StatusCode} {response.ReasonPhrase}";
        if (subscription.Failures >= options.MaxNotifyFailures)
        {
            events.Raise(ParleyEvents.SipPresence.SubscriptionAbandoned, subscription.Watcher, subscription.Presentity, subscription.Failures, failure);
            await ForgetAsync(subscription, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            events.Raise(ParleyEvents.SipPresence.NotifyFailed, subscription.Watcher, subscription.Presentity, failure, subscription.Failures);
        }

        return false;
    }

    private async Task<SipResponse> SendOnceAsync(SipSubscription subscription, string state, byte[]? body, SipDestination destination, CancellationToken cancellationToken)
    {
        var request = subscription.Dialog.CreateRequest(SipMethods.Notify);
        request.Headers.Set(SipHeaderNames.Event, subscription.EventId is { } id ? $"{PresenceRequestRules.EventPackage};id={id}" : PresenceRequestRules.EventPackage);
        request.Headers.Set(SipHeaderNames.SubscriptionState, state);
        request.Headers.Set(SipHeaderNames.Contact, outbound.LocalContact(subscription.Flow.Transport, subscription.Flow.Local).ToString());
        if (body is not null)
        {
            request.ContentType = PidfNamespaces.MediaType;
            request.Body = body;
        }

        await CheckpointAsync(subscription, cancellationToken).ConfigureAwait(false);
        SipPresenceLog.Notifying(logger, subscription.ToString(), state);
        return await outbound.SendAsync(request, destination, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stores the local CSeq before it runs past what a restart would assume.</summary>
    private async Task CheckpointAsync(SipSubscription subscription, CancellationToken cancellationToken)
    {
        if (subscription.Ended || subscription.Dialog.LocalSequence < subscription.StoredLocalSequence + CSeqCheckpoint - 1)
        {
            return;
        }

        subscription.StoredLocalSequence = subscription.Dialog.LocalSequence;
        await store.SaveAsync(subscription, cancellationToken).ConfigureAwait(false);
    }

    private async Task<SipDestination?> TargetDestinationAsync(SipSubscription subscription, CancellationToken cancellationToken)
    {
        var dialog = subscription.Dialog;
        var next = dialog.RouteSet.Count > 0 ? dialog.RouteSet[0].Uri : dialog.RemoteTarget;
        var destination = await outbound.ResolveAsync(next, cancellationToken).ConfigureAwait(false);
        return destination is null || (destination.Transport == subscription.Flow.Transport && destination.EndPoint.Equals(subscription.Flow.Remote))
            ? null
            : destination;
    }

    private async Task ForgetAsync(SipSubscription subscription, CancellationToken cancellationToken)
    {
        subscription.Ended = true;
        if (registry.Remove(subscription))
        {
            await store.DeleteAsync(subscription.Id, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A response the transaction layer made up because the message could not be sent (no Server or User-Agent from a peer).</summary>
    private static bool IsTransportFailure(SipResponse response)
        => response.StatusCode == SipStatusCodes.ServiceUnavailable
           && !response.Headers.Contains(SipHeaderNames.Server) && !response.Headers.Contains(SipHeaderNames.UserAgent);

    private static string SecondsLeft(SipSubscription subscription, DateTimeOffset now)
        => ((long)Math.Ceiling(subscription.Remaining(now).TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private static string Fingerprint(WatcherView view, byte[]? body)
        => body is null ? view.ToString() : $"{view}:{Convert.ToHexString(SHA256.HashData(body))}";
}
