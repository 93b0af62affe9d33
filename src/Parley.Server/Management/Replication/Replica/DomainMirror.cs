using Microsoft.Extensions.Logging;
using Parley.Server.Storage;

namespace Parley.Server.Management.Replication.Replica;

/// <summary>
/// Keeps the node's parley.db <c>domains</c> table (which users' foreign key needs) equal to the applied
/// configuration's domains: adds new ones, removes dropped ones that no user references any more (a domain with
/// users stays until they are moved or removed, so no user row is orphaned).
/// </summary>
public sealed class DomainMirror(ParleyDatabase database, TimeProvider time, ILogger<DomainMirror> logger)
{
    public sealed record Result(IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<string> KeptWithUsers);

    public async Task<Result> SyncAsync(IReadOnlyCollection<string> domains, long revision, CancellationToken cancellationToken)
    {
        var wanted = domains.ToHashSet(StringComparer.Ordinal);
        var result = await database.WriteAsync($"mirroring the domains of configuration revision {revision}", session =>
        {
            var present = session.Query("SELECT name FROM domains", reader => reader.GetString(0)).ToHashSet(StringComparer.Ordinal);
            var added = wanted.Where(name => !present.Contains(name)).Order(StringComparer.Ordinal).ToArray();
            var now = StoredTime.ToStored(time.GetUtcNow());
            foreach (var name in added)
            {
                session.Execute("INSERT INTO domains (name, created_ms) VALUES ($name, $created)", ("$name", name), ("$created", now));
            }

            var removed = new List<string>();
            var kept = new List<string>();
            foreach (var name in present.Where(name => !wanted.Contains(name)).Order(StringComparer.Ordinal))
            {
                if (session.ScalarInt64("SELECT EXISTS (SELECT 1 FROM users WHERE domain = $name)", ("$name", name)) != 0)
                {
                    kept.Add(name);
                    continue;
                }

                session.Execute("DELETE FROM domains WHERE name = $name", ("$name", name));
                removed.Add(name);
            }

            return new Result(added, removed, kept);
        }, cancellationToken).ConfigureAwait(false);

        if (result.Added.Count + result.Removed.Count + result.KeptWithUsers.Count > 0)
        {
            ReplicaLog.DomainsMirrored(logger, revision, Names(result.Added), Names(result.Removed), Names(result.KeptWithUsers));
        }

        return result;
    }

    private static string Names(IReadOnlyList<string> names) => names.Count == 0 ? "none" : string.Join(", ", names);
}
