using Parley.Xmpp.Addressing;

namespace Parley.Server.Roster;

public interface IRosterStore
{
    /// <summary>All items including hidden ones.</summary>
    Task<RosterSnapshot> GetAsync(Jid owner, CancellationToken cancellationToken);

    ValueTask<RosterItem?> FindAsync(Jid owner, Jid contact, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces the item; returns the new roster version.</summary>
    Task<long> SaveAsync(Jid owner, RosterItem item, CancellationToken cancellationToken);

    /// <summary>Deletes the item if present; returns the new roster version.</summary>
    Task<long> DeleteAsync(Jid owner, Jid contact, CancellationToken cancellationToken);
}
