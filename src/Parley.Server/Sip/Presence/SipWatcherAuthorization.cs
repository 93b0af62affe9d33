using Parley.Server.Directory;
using Parley.Server.Management;
using Parley.Server.Privacy;
using Parley.Server.Roster;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Sip.Presence;

/// <summary>What a watcher may see of a presentity right now.</summary>
public enum WatcherView
{
    /// <summary>The presentity has not decided yet: Subscription-State pending, no document.</summary>
    Pending,

    /// <summary>The presentity's composed presence.</summary>
    Allowed,

    /// <summary>
    /// Blocked, denied, or no such user: an active subscription with a closed document, the same bytes as when the
    /// presentity is offline (polite blocking, seed ch. 1-3 §2.1 step 5; never 403, so nothing tells the watcher).
    /// </summary>
    Hidden,

    /// <summary>The watcher's own account was removed or disabled: the subscription ends (reason "rejected", RFC 6665 §4.1.3).</summary>
    Revoked,
}

/// <summary>
/// Reads the decision the XMPP engine made: the presentity's roster item for the watcher (RFC 6121 subscription
/// state) and block list. A SIP watcher gets exactly what an XMPP contact in the same state would.
/// </summary>
public sealed class SipWatcherAuthorization(RosterEditor rosters, PrivacyCheck privacy, IUserDirectory directory, IDeploymentSettings settings)
{
    public async ValueTask<WatcherView> ViewAsync(Jid watcher, Jid presentity, CancellationToken cancellationToken)
    {
        watcher = watcher.Bare;
        presentity = presentity.Bare;

        // Checked at every NOTIFY: a disabled or removed account must stop seeing presence now, not when its subscription
        // expires.
        if (await IsRevokedAsync(watcher, cancellationToken).ConfigureAwait(false))
        {
            return WatcherView.Revoked;
        }

        if (watcher == presentity)
        {
            return WatcherView.Allowed; // A user's own devices always see their presence (RFC 3856 §5.1).
        }

        if (await privacy.IsBlockingAsync(presentity, watcher, cancellationToken).ConfigureAwait(false))
        {
            return WatcherView.Hidden;
        }

        var item = await rosters.GetOrEmptyAsync(presentity, watcher, cancellationToken).ConfigureAwait(false);
        return item.IsWatcher ? WatcherView.Allowed : item.PendingIn ? WatcherView.Pending : WatcherView.Hidden;
    }

    /// <summary>
    /// The watcher may watch nobody any more: its account is disabled, or it has none in a hosted domain, which means a
    /// removed user unless federation is on. With federation on such a watcher is a user of the peer (the dispatcher let
    /// only the trusted peer subscribe for one), decided by the roster like anyone else; so is a watcher of any other
    /// domain.
    /// </summary>
    public async ValueTask<bool> IsRevokedAsync(Jid watcher, CancellationToken cancellationToken)
    {
        var account = await directory.FindUserAsync(watcher.Bare, cancellationToken).ConfigureAwait(false);
        var snapshot = settings.Current;
        return account is { Enabled: false } || (account is null && snapshot.HostsDomain(watcher.Domain) && !snapshot.Configuration.Federation.Enabled);
    }
}
