using System.Globalization;
using Parley.Server.Management;
using Parley.Server.Storage;

namespace Parley.Server.Directory;

/// <summary>Bulk import: validate everything, derive credentials in parallel, write whole batches.</summary>
public sealed partial class SqliteUserDirectory
{
    public async Task<IReadOnlyList<UserImportProblem>> CheckImportAsync(IReadOnlyList<UserImportEntry> users, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(users);
        if (users.Count > _options.MaxImportUsers)
        {
            throw new DirectoryException(DirectoryError.InvalidImport,
                string.Create(CultureInfo.InvariantCulture,
                    $"{users.Count:N0} users is more than one import may hold ({_options.MaxImportUsers:N0}). Fix: split the file and import the parts one after the other."));
        }

        var hosted = new HashSet<string>(await ListDomainsAsync(cancellationToken).ConfigureAwait(false), StringComparer.Ordinal);
        var firstIndex = new Dictionary<string, int>(users.Count, StringComparer.Ordinal);
        var problems = new List<UserImportProblem>();
        for (var i = 0; i < users.Count; i++)
        {
            var (jid, password, _) = users[i];
            if (jid.Local is null)
            {
                problems.Add(new(i, DirectoryError.InvalidJid, $"'{jid}' has no local part (the part before @)", $"give a user address such as alice@{jid.Domain}."));
                continue;
            }

            if (jid.Resource is not null)
            {
                problems.Add(new(i, DirectoryError.InvalidJid, $"'{jid}' has a resource (/{jid.Resource}); users are bare JIDs", "leave out the '/' and what follows."));
                continue;
            }

            if (!hosted.Contains(jid.Domain))
            {
                problems.Add(new(i, DirectoryError.DomainNotFound, $"domain {jid.Domain} of {jid} is not hosted by this deployment", $"run `parley domain add {jid.Domain}` first."));
            }

            if (!firstIndex.TryAdd(jid.ToString(), i))
            {
                problems.Add(new(i, DirectoryError.DuplicateUser, $"{jid} is listed more than once", "keep one line per user.", firstIndex[jid.ToString()]));
            }

            if (PasswordProblem(password) is { } bad)
            {
                problems.Add(new(i, DirectoryError.InvalidPassword, $"{bad.Problem} (user {jid})", bad.Fix));
            }
        }

        return problems;
    }

    public async Task<UserImportResult> ImportUsersAsync(IReadOnlyList<UserImportEntry> users, bool updatePasswords, string actor, string source,
        IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var problems = await CheckImportAsync(users, cancellationToken).ConfigureAwait(false);
        if (problems.Count > 0)
        {
            var first = problems[0];
            throw new DirectoryException(DirectoryError.InvalidImport,
                $"{problems.Count} problem(s) in the users to import from {source}; nothing was imported. First, entry {first.Index + 1}: {first.Problem}. Fix: {first.Fix}");
        }

        var batchSize = _options.ImportBatchSize;
        var batches = (users.Count + batchSize - 1) / batchSize;
        var parallel = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount };
        int added = 0, updated = 0, skipped = 0;
        long? firstRevision = null, lastRevision = null;
        try
        {
            for (var batch = 0; batch < batches; batch++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var start = batch * batchSize;
                var count = Math.Min(batchSize, users.Count - start);

                // PBKDF2 is the whole cost: derive only for users that will be written, on all cores, outside the write lock.
                var existing = ExistingUsers(users, start, count);
                var credentials = new PasswordCredentials?[count];
                await Task.Run(() => Parallel.For(0, count, parallel, i =>
                {
                    if (updatePasswords || !existing.Contains(users[start + i].Jid.ToString()))
                    {
                        credentials[i] = DeriveCredentials(users[start + i].Jid, users[start + i].Password);
                    }
                }), cancellationToken).ConfigureAwait(false);

                var description = $"imported users from {source} (batch {batch + 1} of {batches}";
                var outcome = await _database.WriteAsync($"importing users from {source}, batch {batch + 1} of {batches}",
                    session => WriteBatch(session, users, start, credentials, updatePasswords, actor, description), cancellationToken).ConfigureAwait(false);
                added += outcome.Added;
                updated += outcome.Updated;
                skipped += outcome.Skipped;
                if (outcome.Revision is { } revision)
                {
                    firstRevision ??= revision;
                    lastRevision = revision;
                }

                progress?.Report(start + count);
            }
        }
        finally
        {
            if (lastRevision is not null)
            {
                // Committed batches stay committed even when the import stops: make this process see them.
                Invalidate();
                await _settings.RefreshAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        return new UserImportResult(added, updated, skipped, firstRevision, lastRevision);
    }

    private HashSet<string> ExistingUsers(IReadOnlyList<UserImportEntry> users, int start, int count)
        => _database.Read("looking up users to import", session =>
        {
            var found = new HashSet<string>(StringComparer.Ordinal);
            using var lookup = session.Command("SELECT 1 FROM users WHERE jid = $jid", ("$jid", ""));
            for (var i = start; i < start + count; i++)
            {
                var key = users[i].Jid.ToString();
                lookup.Parameters["$jid"].Value = key;
                if (lookup.ExecuteScalar() is not null)
                {
                    found.Add(key);
                }
            }

            return found;
        });

    private BatchOutcome WriteBatch(SqliteSession session, IReadOnlyList<UserImportEntry> users, int start, PasswordCredentials?[] credentials,
        bool updatePasswords, string actor, string description)
    {
        var now = _time.GetUtcNow();
        // Domains were checked before deriving; one removed since then refuses this batch (earlier ones stay).
        foreach (var domain in Enumerable.Range(start, credentials.Length).Select(i => users[i].Jid.Domain).Distinct(StringComparer.Ordinal))
        {
            RequireHostedDomain(session, domain);
        }

        using var find = session.Command("SELECT id FROM users WHERE jid = $jid", ("$jid", ""));
        using var insertUser = session.Command("INSERT INTO users (jid, domain, enabled, created_ms) VALUES ($jid, $domain, $enabled, $created)",
            ("$jid", ""), ("$domain", ""), ("$enabled", 1), ("$created", StoredTime.ToStored(now)));
        using var lastId = session.Command("SELECT last_insert_rowid()");

        int added = 0, updated = 0, skipped = 0;
        for (var i = 0; i < credentials.Length; i++)
        {
            var (jid, password, enabled) = users[start + i];
            var key = jid.ToString();
            find.Parameters["$jid"].Value = key;
            var id = find.ExecuteScalar();
            long userId;
            if (id is null)
            {
                insertUser.Parameters["$jid"].Value = key;
                insertUser.Parameters["$domain"].Value = jid.Domain;
                insertUser.Parameters["$enabled"].Value = enabled ? 1 : 0;
                insertUser.ExecuteNonQuery();
                userId = Convert.ToInt64(lastId.ExecuteScalar(), CultureInfo.InvariantCulture);
                added++;
            }
            else if (updatePasswords)
            {
                userId = Convert.ToInt64(id, CultureInfo.InvariantCulture);
                DeleteCredentials(session, userId);
                updated++;
            }
            else
            {
                skipped++;
                continue;
            }

            // Null only when the user was removed by someone else between the lookup and this transaction: rare, derive here.
            WriteCredentials(session, userId, credentials[i] ?? DeriveCredentials(jid, password));
        }

        var revision = added + updated > 0
            ? SqliteRevisions.Record(session, now, actor,
                string.Create(CultureInfo.InvariantCulture, $"{description}: {added} added, {updated} password(s) reset, {skipped} skipped)"))
            : (long?)null;
        return new BatchOutcome(added, updated, skipped, revision);
    }

    private readonly record struct BatchOutcome(int Added, int Updated, int Skipped, long? Revision);
}
