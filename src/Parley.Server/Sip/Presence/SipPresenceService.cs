using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Parley.Server.Diagnostics;
using Parley.Server.Directory;
using Parley.Server.Management;
using Parley.Server.Sip.Presence.Publications;
using Parley.Server.Sip.Presence.Subscriptions;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Sip.Presence;

/// <summary>
/// Runs the SIP presence server's background work: at start it restores publications and subscriptions from storage
/// and sends every restored watcher the current presence (so a restart does not leave them dark until their next
/// refresh, seed ch. 1-3 §2.3); then it turns engine changes into NOTIFYs (gathered for
/// the presence setting <see cref="PresenceSettings.NotifyCoalescingMs"/>) and expires subscriptions and publications. Stopping keeps the
/// subscriptions stored: watchers are not told anything, the next start carries on.
/// </summary>
public sealed class SipPresenceService(
    SipPresenceChanges changes,
    SipSubscriptionRegistry subscriptions,
    SipNotifier notifier,
    SipPublications publications,
    ISipSubscriptionStore store,
    IDeploymentSettings settings,
    SipWatcherAuthorization authorization,
    SipPresenceOptions options,
    IEventLog events,
    TimeProvider time,
    ILogger<SipPresenceService> logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, byte> _notifying = new();
    private Task _loops = Task.CompletedTask;
    private int _state;

    /// <summary>Directory changes not yet checked against the watchers; one check runs while this is above zero.</summary>
    private int _revocationChecks;

    /// <summary>Call once the SIP transport runs (NOTIFYs go out from here on).</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("Internal error: the SIP presence service was started twice.");
        }

        await publications.RestoreAsync(cancellationToken).ConfigureAwait(false);
        var restored = await store.LoadAsync(time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        foreach (var subscription in restored.Subscriptions)
        {
            subscription.Dialog.SkipLocalSequenceTo(subscription.StoredLocalSequence + SipNotifier.CSeqCheckpoint);
            subscriptions.TryAdd(subscription, int.MaxValue);
        }

        if (restored.Subscriptions.Count > 0 || restored.ExpiredRemoved > 0)
        {
            events.Raise(ParleyEvents.SipPresence.SubscriptionsRestored, restored.Subscriptions.Count, restored.ExpiredRemoved);
        }

        _loops = Task.WhenAll(NotifyLoopAsync(_stopping.Token), ExpiryLoopAsync(_stopping.Token));
        settings.Changed += OnDeploymentChanged;
        foreach (var subscription in restored.Subscriptions)
        {
            Notify(subscription, force: true);
        }
    }

    /// <summary>Starts a NOTIFY in the background (a slow watcher never holds up others); shutdown waits for it.</summary>
    public void Notify(SipSubscription subscription, bool force) => Track(notifier.NotifyAsync(subscription, force, _stopping.Token));

    /// <summary>
    /// Answers a fetch in the background: one terminating NOTIFY with the state. <paramref name="view"/> is what the
    /// SUBSCRIBE handler just read, if it read it after any decision the engine made; null reads it again.
    /// </summary>
    public void Fetch(SipSubscription subscription, WatcherView? view)
        => Track(notifier.EndAsync(subscription, SubscriptionEndReason.Timeout, withState: true, view, _stopping.Token));

    /// <summary>Ends a subscription in the background with its final NOTIFY.</summary>
    public void End(SipSubscription subscription, SubscriptionEndReason reason, bool withState)
        => Track(notifier.EndAsync(subscription, reason, withState, knownView: null, _stopping.Token));

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }

        settings.Changed -= OnDeploymentChanged;
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll([_loops, .. _notifying.Keys]).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        // _stopping is not disposed: a handler finishing during shutdown may still read its (cancelled) token.
    }

    private async Task NotifyLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await changes.WaitAsync(cancellationToken).ConfigureAwait(false))
            {
                // Read at each change: the CMS setting applies without a restart.
                if (settings.Current.Presence.NotifyCoalescingMs is > 0 and var window)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(window), time, cancellationToken).ConfigureAwait(false);
                }

                try
                {
                    NotifyChanged();
                }
                catch (Exception ex)
                {
                    SipPresenceLog.NotifyLoopFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Every subscription to a presentity whose presence changed, and each (presentity, watcher) pair whose authorisation did.</summary>
    private void NotifyChanged()
    {
        var (presentities, pairs) = changes.Take();
        var due = new HashSet<SipSubscription>();
        foreach (var presentity in presentities)
        {
            due.UnionWith(subscriptions.ForPresentity(presentity));
        }

        foreach (var (owner, watcher) in pairs)
        {
            // A blocked or unblocked domain (a XEP-0191 item without a local part) concerns every watcher of that domain.
            due.UnionWith(subscriptions.ForPresentity(owner).Where(s => s.Watcher == watcher || (watcher.Local is null && s.Watcher.Domain == watcher.Domain)));
        }

        foreach (var subscription in due)
        {
            Notify(subscription, force: false);
        }
    }

    /// <summary>
    /// Every directory change is a new revision: watchers whose account was disabled or removed (or whose domain went)
    /// lose their subscriptions now ("rejected"), rather than at the presentity's next change. This is what makes the
    /// directory's lookup cache safe for the per-NOTIFY check in <see cref="SipWatcherAuthorization"/>.
    /// </summary>
    private void OnDeploymentChanged(DeploymentSnapshot snapshot)
    {
        if (Interlocked.Increment(ref _revocationChecks) == 1)
        {
            Track(RevokeWatchersAsync(_stopping.Token));
        }
    }

    private async Task RevokeWatchersAsync(CancellationToken cancellationToken)
    {
        try
        {
            do
            {
                // Changes arriving during this pass make it run once more (the count is above one when it ends).
                Volatile.Write(ref _revocationChecks, 1);
                var enabled = new Dictionary<Jid, bool>();
                foreach (var subscription in subscriptions.All())
                {
                    if (!enabled.TryGetValue(subscription.Watcher, out var allowed))
                    {
                        // The same rule as every NOTIFY's: the peer's users have no account and are not revoked for it.
                        allowed = !await authorization.IsRevokedAsync(subscription.Watcher, cancellationToken).ConfigureAwait(false);
                        enabled[subscription.Watcher] = allowed;
                    }

                    if (!allowed)
                    {
                        End(subscription, SubscriptionEndReason.Rejected, withState: false);
                    }
                }
            }
            while (Interlocked.Decrement(ref _revocationChecks) > 0);
        }
        catch
        {
            // The next change checks again (Track logs the failure); a stuck count would stop all later checks.
            Volatile.Write(ref _revocationChecks, 0);
            throw;
        }
    }

    private async Task ExpiryLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(options.ExpiryScanInterval, time, cancellationToken).ConfigureAwait(false);
                try
                {
                    foreach (var expired in subscriptions.ExpiredAt(time.GetUtcNow()))
                    {
                        End(expired, SubscriptionEndReason.Timeout, withState: false);
                    }

                    await publications.ExpireAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    SipPresenceLog.ExpiryFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void Track(Task task)
    {
        _notifying.TryAdd(task, 0);
        task.ContinueWith(
            t =>
            {
                _notifying.TryRemove(t, out _);
                if (t.Exception is { } error)
                {
                    SipPresenceLog.NotifyLoopFailed(logger, error.GetBaseException());
                }
            },
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
