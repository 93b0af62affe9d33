using Parley.Server.Sessions;
using Parley.Server.Xmpp.Routing;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Roster;

/// <summary>
/// Reads and writes one owner's roster through the store and, when the owner is online, the in-memory copy,
/// and pushes visible changes. Callers hold the owner's <see cref="UserLocks"/> stripe.
/// </summary>
public sealed class RosterEditor(IRosterStore store, SessionRegistry registry, LocalDelivery delivery)
{
    public async ValueTask<RosterItem> GetOrEmptyAsync(Jid owner, Jid contact, CancellationToken cancellationToken)
    {
        var online = Online(owner);
        var item = online is not null ? online.FindItem(contact) : await store.FindAsync(owner, contact, cancellationToken).ConfigureAwait(false);
        return item ?? RosterItem.Empty(contact);
    }

    public async Task<IReadOnlyList<RosterItem>> ItemsAsync(Jid owner, CancellationToken cancellationToken)
    {
        var online = Online(owner);
        return online is not null ? online.RosterItems() : (await store.GetAsync(owner, cancellationToken).ConfigureAwait(false)).Items;
    }

    /// <summary>Persists the item (or deletes it when it no longer carries any state) and pushes it when visible.</summary>
    public async Task SaveAsync(Jid owner, RosterItem item, CancellationToken cancellationToken)
    {
        if (item is { Hidden: true, Subscription: Subscription.None, PendingIn: false, PendingOut: false, PreApproved: false })
        {
            await DeleteAsync(owner, item, cancellationToken).ConfigureAwait(false);
            return;
        }

        var version = await store.SaveAsync(owner, item, cancellationToken).ConfigureAwait(false);
        var online = Online(owner);
        if (online is null)
        {
            return;
        }

        online.SetItem(item, version);
        if (!item.Hidden)
        {
            delivery.RosterPush(online, item, version, removed: false);
        }
    }

    public async Task DeleteAsync(Jid owner, RosterItem item, CancellationToken cancellationToken)
    {
        var version = await store.DeleteAsync(owner, item.Contact, cancellationToken).ConfigureAwait(false);
        var online = Online(owner);
        if (online is null)
        {
            return;
        }

        var wasVisible = online.FindItem(item.Contact) is { Hidden: false };
        online.RemoveItem(item.Contact, version);
        if (wasVisible || !item.Hidden)
        {
            delivery.RosterPush(online, item, version, removed: true);
        }
    }

    private OnlineUser? Online(Jid owner) => registry.Find(owner) is { Retired: false } user ? user : null;
}
