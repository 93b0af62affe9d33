using System.Globalization;
using Microsoft.Extensions.Logging;
using Parley.Server.Diagnostics;
using Parley.Server.Directory;
using Parley.Server.Management.Documents;
using Parley.Server.Storage;

namespace Parley.Server.Management.Cms;

/// <summary>
/// The CMS documents in the master's parley.db (table <c>cms_documents</c>). A change reads, edits, validates and
/// writes in one IMMEDIATE transaction with its revision row, so concurrent writers (the server and the CLI) never
/// interleave and an invalid or refused change writes nothing. On the master the <c>domains</c> table (which the
/// users' foreign key needs) is kept in step with the domains document in the same transaction.
/// </summary>
public sealed class SqliteCmsStore : ICmsStore
{
    private readonly ParleyDatabase _database;
    private readonly IEventLog _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private CmsOptions? _configured;
    private volatile CmsOptions? _role;

    public SqliteCmsStore(ParleyDatabase database, IEventLog events, TimeProvider time, CmsOptions? options, ILogger<SqliteCmsStore> logger)
    {
        _database = database;
        _events = events;
        _time = time;
        _configured = options;
        _logger = logger;
    }

    public event Action<long>? Committed;

    public bool IsMaster => Role.IsMaster;

    public string? MasterFqdn => Role.MasterFqdn;

    private CmsOptions Role => _role ?? throw new InvalidOperationException("Internal error: SqliteCmsStore used before Start (start the ParleyStore first).");

    /// <summary>Records the configured role (a running node), or reads the recorded one (the CLI). After the database is initialised.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_configured is { } configured)
        {
            await _database.WriteAsync("recording the CMS role", session =>
            {
                if (CmsRoleRecord.Read(session) != configured)
                {
                    CmsRoleRecord.Write(session, configured);
                }

                return 0;
            }, cancellationToken).ConfigureAwait(false);
            _role = configured;
        }
        else
        {
            _role = _database.Read("reading the CMS role", CmsRoleRecord.Read);
        }

        _configured = null;
    }

    public Task<(long Revision, DeploymentConfiguration Configuration)> GetAsync(CancellationToken cancellationToken)
        => _database.ReadAsync("reading the configuration", session =>
        {
            var (revision, configuration, _) = CmsDocumentTable.Read(session);
            return (revision, configuration);
        }, cancellationToken);

    public Task<CmsRevision> GetLatestAsync(CancellationToken cancellationToken)
        => _database.ReadAsync("reading the configuration", session =>
        {
            var (revision, configuration, _) = CmsDocumentTable.Read(session);
            return new CmsRevision(revision, CmsDocumentTable.RevisionTime(session, revision), configuration);
        }, cancellationToken);

    public Task<long> GetRevisionAsync(CancellationToken cancellationToken)
        => _database.ReadAsync("checking the configuration revision", CmsDocumentTable.Revision, cancellationToken);

    public Task<long> SetDocumentAsync(string name, string json, string actor, CancellationToken cancellationToken)
    {
        if (!DocumentJson.IsDocumentName(name))
        {
            throw new ConfigurationValidationException([new ConfigurationError(name, $"there is no configuration document named '{name}'",
                $"use one of {string.Join(", ", DocumentNames.All)}")]);
        }

        // Parsed before the transaction: a syntax error names the field and writes nothing.
        var document = DocumentJson.Deserialize(name, json);
        return ChangeAsync(configuration => DocumentJson.With(configuration, name, document), actor, $"{name} replaced", cancellationToken);
    }

    public Task<long> SetPresenceSettingsAsync(PresenceSettings settings, string actor, CancellationToken cancellationToken)
        => ChangeAsync(configuration => configuration with { Presence = settings }, actor,
            $"presence settings: max contacts {Describe(settings.MaxContactListSize)}, max watchers {Describe(settings.MaxWatchers)}, auto-approve local domain {(settings.AutoApproveLocalDomain ? "on" : "off")}, notify coalescing {settings.NotifyCoalescingMs} ms",
            cancellationToken);

    public Task<IReadOnlyList<ConfigurationChange>> ListChangesAsync(int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return _database.ReadAsync<IReadOnlyList<ConfigurationChange>>("reading configuration history", session => session.Query(
            "SELECT revision, time_ms, actor, description FROM revisions ORDER BY revision DESC LIMIT $limit",
            reader => new ConfigurationChange(reader.GetInt64(0), StoredTime.FromStored(reader.GetInt64(1)), reader.GetString(2), reader.GetString(3)),
            ("$limit", limit)), cancellationToken);
    }

    public async Task<long> ChangeAsync(Func<DeploymentConfiguration, DeploymentConfiguration> edit, string actor, string description, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        CommitOutcome outcome;
        try
        {
            outcome = await _database.WriteAsync($"changing the configuration ({description})",
                session => CommitAsMaster(session, edit, actor, description), cancellationToken).ConfigureAwait(false);
        }
        catch (CmsNotMasterException e)
        {
            CmsLog.NotMaster(_logger, actor, description, e.MasterFqdn);
            _events.Raise(ParleyEvents.Management.ConfigurationChangeOnReplica, actor, description, e.MasterFqdn);
            throw;
        }
        catch (ConfigurationValidationException e)
        {
            var errors = string.Join(" ", e.Errors.Select(error => error.ToString()));
            CmsLog.Refused(_logger, actor, description, errors);
            _events.Raise(ParleyEvents.Management.ConfigurationChangeRefused, actor, description, e.Errors.Count, errors);
            throw;
        }

        if (outcome.Changed.Count == 0)
        {
            CmsLog.Unchanged(_logger, actor, description, outcome.Revision);
            return outcome.Revision;
        }

        CmsLog.Committed(_logger, outcome.Revision, actor, description, string.Join(", ", outcome.Changed));
        _events.Raise(ParleyEvents.Management.ConfigurationChanged, outcome.Revision, actor, description);
        try
        {
            Committed?.Invoke(outcome.Revision);
        }
        catch (Exception e)
        {
            // The change is committed; an observer's failure must not make the caller believe otherwise.
            CmsLog.ObserverFailed(_logger, e, outcome.Revision);
        }

        return outcome.Revision;
    }

    /// <summary>
    /// Checks the role recorded in the store, in the change's own transaction, before committing: a master move
    /// (`replication move-master`) rewrites it while the nodes run, so the old master refuses from then on and the new
    /// one accepts, through the CLI and the admin API alike, without a restart.
    /// </summary>
    private CommitOutcome CommitAsMaster(SqliteSession session, Func<DeploymentConfiguration, DeploymentConfiguration> edit, string actor, string description)
    {
        var role = CmsRoleRecord.Read(session);
        _role = role;
        if (role.MasterFqdn is { } master)
        {
            throw new CmsNotMasterException(master);
        }

        return Commit(session, edit, actor, description);
    }

    private CommitOutcome Commit(SqliteSession session, Func<DeploymentConfiguration, DeploymentConfiguration> edit, string actor, string description)
    {
        var (revision, current, storedJson) = CmsDocumentTable.Read(session);
        var updated = ConfigurationValidator.Prepare(edit(current));
        var changed = DocumentNames.All
            .Select(name => (Name: name, Json: DocumentJson.Serialize(updated, name)))
            .Where(document => !string.Equals(document.Json, storedJson[document.Name], StringComparison.Ordinal))
            .ToList();
        if (changed.Count == 0)
        {
            return new CommitOutcome(revision, []);
        }

        var now = _time.GetUtcNow();
        MirrorDomains(session, current.Domains, updated.Domains, now);
        var next = SqliteRevisions.Record(session, now, actor, description);
        foreach (var (name, json) in changed)
        {
            CmsDocumentTable.Write(session, name, json, next);
        }

        return new CommitOutcome(next, changed.Select(document => document.Name).ToList());
    }

    /// <summary>The master's <c>domains</c> table follows the document; a domain with users here cannot go.</summary>
    private static void MirrorDomains(SqliteSession session, IReadOnlyList<string> before, IReadOnlyList<string> after, DateTimeOffset now)
    {
        foreach (var removed in before.Except(after, StringComparer.Ordinal))
        {
            var users = session.ScalarInt64("SELECT count(*) FROM users WHERE domain = $name", ("$name", removed));
            if (users > 0)
            {
                throw new DirectoryException(DirectoryError.DomainHasUsers,
                    $"Domain {removed} still has {users} user(s). Fix: remove them first (`parley user list --domain {removed}`, then `parley user remove JID`).");
            }

            session.Execute("DELETE FROM domains WHERE name = $name", ("$name", removed));
        }

        foreach (var added in after)
        {
            session.Execute("INSERT INTO domains (name, created_ms) VALUES ($name, $created) ON CONFLICT (name) DO NOTHING",
                ("$name", added), ("$created", StoredTime.ToStored(now)));
        }
    }

    private static string Describe(int? limit) => limit?.ToString(CultureInfo.InvariantCulture) ?? "unlimited";

    private sealed record CommitOutcome(long Revision, IReadOnlyList<string> Changed);
}
