using Parley.Server.Sip.Core;
using Parley.Sip.Dialogs;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Sip.Presence.Subscriptions;

/// <summary>The dialog identifiers of a subscription as seen from Parley (RFC 3261 §12: Call-ID, local tag, remote tag).</summary>
public readonly record struct SubscriptionKey(string CallId, string LocalTag, string RemoteTag)
{
    public static SubscriptionKey Of(SubscriptionDialog dialog) => new(dialog.CallId, dialog.LocalTag, dialog.RemoteTag);
}

/// <summary>
/// The live SIP presence subscriptions of this node, by dialog and by presentity, with a count per watcher for the
/// limit. Thread-safe; lookups return snapshots so notifying never holds the lock.
/// </summary>
public sealed class SipSubscriptionRegistry : IDialogOwnership
{
    private readonly Lock _gate = new();
    private readonly Dictionary<SubscriptionKey, SipSubscription> _byDialog = [];
    private readonly Dictionary<Jid, List<SipSubscription>> _byPresentity = [];
    private readonly Dictionary<Jid, int> _perWatcher = [];

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byDialog.Count;
            }
        }
    }

    public SipSubscription? Find(SubscriptionKey key)
    {
        lock (_gate)
        {
            return _byDialog.GetValueOrDefault(key);
        }
    }

    /// <summary>The watcher of the subscription with these dialog identifiers (for the dispatcher: in-dialog SUBSCRIBEs are not challenged).</summary>
    public DialogParty? OwnerOf(DialogId dialog) => Find(new SubscriptionKey(dialog.CallId, dialog.LocalTag, dialog.RemoteTag)) is { } subscription ? new DialogParty(subscription.Watcher) : null;

    public int CountFor(Jid watcher)
    {
        lock (_gate)
        {
            return _perWatcher.GetValueOrDefault(watcher.Bare);
        }
    }

    /// <summary>Adds the subscription unless the watcher already holds <paramref name="maxPerWatcher"/>; false then.</summary>
    public bool TryAdd(SipSubscription subscription, int maxPerWatcher)
    {
        var key = SubscriptionKey.Of(subscription.Dialog);
        lock (_gate)
        {
            var held = _perWatcher.GetValueOrDefault(subscription.Watcher);
            if (held >= maxPerWatcher || !_byDialog.TryAdd(key, subscription))
            {
                return false;
            }

            _perWatcher[subscription.Watcher] = held + 1;
            if (!_byPresentity.TryGetValue(subscription.Presentity, out var list))
            {
                _byPresentity[subscription.Presentity] = list = [];
            }

            list.Add(subscription);
            return true;
        }
    }

    /// <summary>Removes the subscription; false when it was already gone.</summary>
    public bool Remove(SipSubscription subscription)
    {
        var key = SubscriptionKey.Of(subscription.Dialog);
        lock (_gate)
        {
            if (!_byDialog.TryGetValue(key, out var held) || !ReferenceEquals(held, subscription))
            {
                return false;
            }

            _byDialog.Remove(key);

            var left = _perWatcher[subscription.Watcher] - 1;
            if (left == 0)
            {
                _perWatcher.Remove(subscription.Watcher);
            }
            else
            {
                _perWatcher[subscription.Watcher] = left;
            }

            var list = _byPresentity[subscription.Presentity];
            list.Remove(subscription);
            if (list.Count == 0)
            {
                _byPresentity.Remove(subscription.Presentity);
            }

            return true;
        }
    }

    /// <summary>Whether anyone subscribed to the user's presence over SIP (cheap: called for every presence change).</summary>
    public bool HasWatchers(Jid presentity)
    {
        lock (_gate)
        {
            return _byPresentity.ContainsKey(presentity.Bare);
        }
    }

    public SipSubscription[] ForPresentity(Jid presentity)
    {
        lock (_gate)
        {
            return _byPresentity.TryGetValue(presentity.Bare, out var list) ? [.. list] : [];
        }
    }

    public SipSubscription[] ExpiredAt(DateTimeOffset now)
    {
        lock (_gate)
        {
            return [.. _byDialog.Values.Where(s => s.Expires <= now)];
        }
    }

    public SipSubscription[] All()
    {
        lock (_gate)
        {
            return [.. _byDialog.Values];
        }
    }
}
