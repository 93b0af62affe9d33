using Parley.Xmpp.Addressing;

namespace Parley.Server.Directory;

/// <summary>
/// Users and hosted domains. Mutations are deployment changes: each one makes a new configuration revision
/// recorded with the actor. Failures throw <see cref="DirectoryException"/>.
/// </summary>
public interface IUserDirectory
{
    ValueTask<UserRecord?> FindUserAsync(Jid bareJid, CancellationToken cancellationToken);

    Task<IReadOnlyList<UserRecord>> ListUsersAsync(string? domain, CancellationToken cancellationToken);

    /// <summary>Adds an enabled user in a hosted domain; derives SCRAM-SHA-1 and SCRAM-SHA-256 credentials.</summary>
    Task AddUserAsync(Jid bareJid, string password, string actor, CancellationToken cancellationToken);

    Task SetPasswordAsync(Jid bareJid, string password, string actor, CancellationToken cancellationToken);

    Task SetEnabledAsync(Jid bareJid, bool enabled, string actor, CancellationToken cancellationToken);

    /// <summary>Removes the user and all their data (roster, privacy lists, offline messages) in one transaction.</summary>
    Task RemoveUserAsync(Jid bareJid, string actor, CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> ListDomainsAsync(CancellationToken cancellationToken);

    Task AddDomainAsync(string domain, string actor, CancellationToken cancellationToken);

    /// <summary>Refuses (DomainHasUsers) while users remain in the domain.</summary>
    Task RemoveDomainAsync(string domain, string actor, CancellationToken cancellationToken);
}
