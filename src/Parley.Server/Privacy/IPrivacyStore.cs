using Parley.Xmpp.Addressing;

namespace Parley.Server.Privacy;

public enum PrivacyListKind
{
    /// <summary>Contacts (full, bare or domain JIDs) whose subscription requests are approved without asking.</summary>
    Allow,

    /// <summary>XEP-0191 block list: these see the user as offline and cannot reach them.</summary>
    Block,
}

public interface IPrivacyStore
{
    Task<IReadOnlyList<Jid>> GetAsync(Jid owner, PrivacyListKind list, CancellationToken cancellationToken);

    /// <summary>Adds entries (duplicates ignored).</summary>
    Task AddAsync(Jid owner, PrivacyListKind list, IReadOnlyCollection<Jid> entries, CancellationToken cancellationToken);

    /// <summary>Removes the entries, or every entry of the list when <paramref name="entries"/> is null.</summary>
    Task RemoveAsync(Jid owner, PrivacyListKind list, IReadOnlyCollection<Jid>? entries, CancellationToken cancellationToken);
}
