using Parley.Xmpp.Addressing;

namespace Parley.Server.Roster;

/// <summary>RFC 6121 subscription value as stored.</summary>
public enum Subscription
{
    None,
    To,
    From,
    Both,
}

/// <summary>
/// One roster entry of an owner. <see cref="Hidden"/> entries hold subscription state for a contact the owner has
/// not put in the roster (e.g. a pending inbound request, RFC 6121 §3.1.3); they are not shown and do not count
/// towards the contact list size.
/// </summary>
public sealed record RosterItem(
    Jid Contact,
    string? Name,
    IReadOnlyList<string> Groups,
    Subscription Subscription,
    bool PendingOut,
    bool PendingIn,
    bool PreApproved,
    bool Hidden)
{
    public static RosterItem Empty(Jid contact) => new(contact, null, [], Subscription.None, false, false, false, true);

    public bool IsWatcher => Subscription is Subscription.From or Subscription.Both;

    public bool IsWatched => Subscription is Subscription.To or Subscription.Both;
}

/// <summary>An owner's roster at a version; version increases by one with every change.</summary>
public sealed record RosterSnapshot(long Version, IReadOnlyList<RosterItem> Items);
