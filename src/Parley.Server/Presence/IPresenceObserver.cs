using Parley.Xmpp.Addressing;

namespace Parley.Server.Presence;

/// <summary>
/// Told by the presence engine about changes that watchers outside XMPP (SIP SUBSCRIBE dialogs) must follow.
/// Calls come on the thread making the change, sometimes while it holds a user's lock: an observer only records
/// the change and returns, and does its work (reading presence, sending NOTIFYs) later on its own.
/// </summary>
public interface IPresenceObserver
{
    /// <summary>One of the user's resources changed its broadcast presence: initial, update, unavailable or session end.</summary>
    void PresenceChanged(Jid user);

    /// <summary>
    /// What <paramref name="watcher"/> may see of <paramref name="owner"/>'s presence may have changed: a request
    /// approved or denied, a subscription cancelled, the watcher blocked or unblocked.
    /// </summary>
    void AuthorizationChanged(Jid owner, Jid watcher);
}
