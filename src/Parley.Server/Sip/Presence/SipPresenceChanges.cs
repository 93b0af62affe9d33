using System.Collections.Concurrent;
using System.Threading.Channels;
using Parley.Server.Presence;
using Parley.Server.Sip.Presence.Subscriptions;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Sip.Presence;

/// <summary>
/// The presence engine's changes that concern SIP watchers, gathered as sets (so a burst for one user is one entry)
/// until <see cref="SipPresenceService"/> takes them. Only users with SIP watchers are recorded: XMPP-only traffic
/// costs one dictionary lookup.
/// </summary>
public sealed class SipPresenceChanges(SipSubscriptionRegistry subscriptions) : IPresenceObserver
{
    private readonly ConcurrentDictionary<Jid, byte> _presentities = new();
    private readonly ConcurrentDictionary<(Jid Owner, Jid Watcher), byte> _pairs = new();
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void PresenceChanged(Jid user)
    {
        if (subscriptions.HasWatchers(user) && _presentities.TryAdd(user.Bare, 0))
        {
            _signal.Writer.TryWrite(true);
        }
    }

    public void AuthorizationChanged(Jid owner, Jid watcher)
    {
        if (subscriptions.HasWatchers(owner) && _pairs.TryAdd((owner.Bare, watcher.Bare), 0))
        {
            _signal.Writer.TryWrite(true);
        }
    }

    /// <summary>Waits until something was recorded since the last <see cref="Take"/>.</summary>
    public ValueTask<bool> WaitAsync(CancellationToken cancellationToken) => _signal.Reader.ReadAsync(cancellationToken);

    /// <summary>Takes what was recorded: presentities whose presence changed, and (owner, watcher) pairs whose authorisation did.</summary>
    public (List<Jid> Presentities, List<(Jid Owner, Jid Watcher)> Pairs) Take()
    {
        var presentities = new List<Jid>();
        foreach (var user in _presentities.Keys)
        {
            if (_presentities.TryRemove(user, out _))
            {
                presentities.Add(user);
            }
        }

        var pairs = new List<(Jid, Jid)>();
        foreach (var pair in _pairs.Keys)
        {
            if (_pairs.TryRemove(pair, out _))
            {
                pairs.Add(pair);
            }
        }

        return (presentities, pairs);
    }
}
