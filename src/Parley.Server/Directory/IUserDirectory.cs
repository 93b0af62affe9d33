using Parley.Xmpp.Addressing;

namespace Parley.Server.Directory;

/// <summary>
/// Users and hosted domains. Mutations are deployment changes: each one makes a new configuration revision
/// recorded with the actor. Failures throw <see cref="DirectoryException"/>.
/// </summary>
public interface IUserDirectory
{
    /// <summary>
    /// The user, possibly from a short-lived cache (hot paths: every SIP request, every message). Only enabled users are
    /// cached, so an account enabled by another process is seen at once; a disable or password change made by another
    /// process may take until the next configuration refresh (about a second), when account revocation acts on it.
    /// </summary>
    ValueTask<UserRecord?> FindUserAsync(Jid bareJid, CancellationToken cancellationToken);

    /// <summary>The user as stored now, never cached: for logins and before refusing someone on a cached answer.</summary>
    ValueTask<UserRecord?> ReadUserAsync(Jid bareJid, CancellationToken cancellationToken);

    /// <summary>
    /// The user's SIP digest HA1 values (MD5 and SHA-256, realm = their domain), derived whenever the password is set.
    /// Empty for an unknown user, and for one whose password was set before SIP support (reset it to create them).
    /// </summary>
    Task<IReadOnlyList<SipDigestCredential>> GetSipDigestCredentialsAsync(Jid bareJid, CancellationToken cancellationToken);

    /// <summary>As <see cref="GetSipDigestCredentialsAsync"/>, never cached: before failing a client on cached HA1s.</summary>
    Task<IReadOnlyList<SipDigestCredential>> ReadSipDigestCredentialsAsync(Jid bareJid, CancellationToken cancellationToken);

    Task<IReadOnlyList<UserRecord>> ListUsersAsync(string? domain, CancellationToken cancellationToken);

    /// <summary>Adds an enabled user in a hosted domain; derives SCRAM-SHA-1 and SCRAM-SHA-256 credentials and the SIP digest HA1s.</summary>
    Task AddUserAsync(Jid bareJid, string password, string actor, CancellationToken cancellationToken);

    Task SetPasswordAsync(Jid bareJid, string password, string actor, CancellationToken cancellationToken);

    Task SetEnabledAsync(Jid bareJid, bool enabled, string actor, CancellationToken cancellationToken);

    /// <summary>Removes the user and all their data (roster, privacy lists, offline messages) in one transaction.</summary>
    Task RemoveUserAsync(Jid bareJid, string actor, CancellationToken cancellationToken);

    /// <summary>
    /// Every reason the entries cannot be imported, in entry order: not a bare user JID, domain not hosted,
    /// the same user twice, a password that cannot be stored. Empty when <see cref="ImportUsersAsync"/> will accept them.
    /// </summary>
    Task<IReadOnlyList<UserImportProblem>> CheckImportAsync(IReadOnlyList<UserImportEntry> users, CancellationToken cancellationToken);

    /// <summary>
    /// Adds many users at once. Validates all entries first (<see cref="CheckImportAsync"/>) and refuses the whole
    /// import with <see cref="DirectoryError.InvalidImport"/> if any is invalid. Existing users are skipped, or get
    /// the new password when <paramref name="updatePasswords"/> (their enabled state is kept).
    /// <para>
    /// Credentials are derived in parallel on all cores; users are written in batches of
    /// <see cref="UserDirectoryOptions.ImportBatchSize"/>, one transaction and one configuration revision per batch
    /// that changed something ("imported users from SOURCE (batch 3 of 20: …)"). A revision is the unit a node
    /// applies and the history records, so it must describe exactly one committed transaction: an interruption
    /// (crash, cancellation) keeps whole batches, each with its revision, and running the same import again
    /// finishes the job. <paramref name="progress"/> receives the number of entries done after each batch.
    /// </para>
    /// </summary>
    Task<UserImportResult> ImportUsersAsync(IReadOnlyList<UserImportEntry> users, bool updatePasswords, string actor, string source,
        IProgress<int>? progress, CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> ListDomainsAsync(CancellationToken cancellationToken);

    Task AddDomainAsync(string domain, string actor, CancellationToken cancellationToken);

    /// <summary>Refuses (DomainHasUsers) while users remain in the domain.</summary>
    Task RemoveDomainAsync(string domain, string actor, CancellationToken cancellationToken);
}
