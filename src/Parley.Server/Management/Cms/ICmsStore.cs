using Parley.Server.Management.Documents;

namespace Parley.Server.Management.Cms;

/// <summary>
/// The central management store: every deployment document, typed and versioned. Changes are validated as a
/// whole, recorded with who/when/what and make one revision, in one transaction. Only the master accepts changes.
/// </summary>
public interface ICmsStore
{
    /// <summary>This node holds the writable store (bootstrap cms.master absent or naming this node).</summary>
    bool IsMaster { get; }

    /// <summary>The master's FQDN when this node is not the master; null on the master.</summary>
    string? MasterFqdn { get; }

    /// <summary>The configuration and its revision (the newest revision that changed a document).</summary>
    Task<(long Revision, DeploymentConfiguration Configuration)> GetAsync(CancellationToken cancellationToken);

    /// <summary>As <see cref="GetAsync"/>, with when that revision was made (the snapshot's creation time).</summary>
    Task<CmsRevision> GetLatestAsync(CancellationToken cancellationToken);

    /// <summary>The configuration revision only: one indexed query, for polling.</summary>
    Task<long> GetRevisionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Applies <paramref name="edit"/> to the current configuration, validates the whole result and writes the changed
    /// documents with one new revision. Returns the new revision (the current one when nothing changed). Throws
    /// <see cref="ConfigurationValidationException"/> (nothing written) or <see cref="CmsNotMasterException"/>.
    /// <paramref name="edit"/> runs inside the write transaction: it may throw to refuse, and must not block.
    /// </summary>
    Task<long> ChangeAsync(Func<DeploymentConfiguration, DeploymentConfiguration> edit, string actor, string description, CancellationToken cancellationToken);

    /// <summary>Replaces one document (by <see cref="DocumentNames"/> name) with its JSON; errors name the field.</summary>
    Task<long> SetDocumentAsync(string name, string json, string actor, CancellationToken cancellationToken);

    Task<long> SetPresenceSettingsAsync(PresenceSettings settings, string actor, CancellationToken cancellationToken);

    /// <summary>Every revision of the store (configuration and directory changes), newest first.</summary>
    Task<IReadOnlyList<ConfigurationChange>> ListChangesAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Raised (on the caller's thread, after the commit) when a change made through this instance committed a revision.</summary>
    event Action<long>? Committed;
}

/// <summary>The configuration at one revision and when that revision was made.</summary>
public sealed record CmsRevision(long Revision, DateTimeOffset Created, DeploymentConfiguration Configuration);

/// <summary>A change was attempted on a node whose store is a read-only replica.</summary>
public sealed class CmsNotMasterException(string masterFqdn)
    : Exception($"This node is not the CMS master; configuration changes are made on the master, {masterFqdn}. Fix: run the command on {masterFqdn} (or use its admin API), or move the master here with `parley replication move-master`.")
{
    public string MasterFqdn { get; } = masterFqdn;
}
