using Parley.Server.Directory;
using Parley.Server.Management;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Privacy;

/// <summary>
/// Recent privacy lists in memory, in front of the store: the block list of a message's recipient is checked for
/// every message to a user without an online session (one SQLite query per message otherwise). Changes made through
/// this store drop the cache before and after they are written, and a list read while a change was under way is not
/// kept. Deleting a user (which deletes their lists) is a directory change: it moves the configuration revision, which
/// drops every entry, as <see cref="DirectoryLookupCache{T}"/> does for directory answers.
/// </summary>
internal sealed class CachedPrivacyStore(IPrivacyStore inner, IDeploymentSettings settings, int capacity) : IPrivacyStore
{
    private readonly DirectoryLookupCache<IReadOnlyList<Jid>> _block = new(capacity);
    private readonly DirectoryLookupCache<IReadOnlyList<Jid>> _allow = new(capacity);
    private readonly Lock _gate = new();
    private long _changes;

    public async Task<IReadOnlyList<Jid>> GetAsync(Jid owner, PrivacyListKind list, CancellationToken cancellationToken)
    {
        var cache = CacheOf(list);
        var bare = owner.Bare;
        var revision = settings.Current.Revision;
        if (cache.TryGet(bare, revision, out var cached))
        {
            return cached;
        }

        var changes = Volatile.Read(ref _changes);
        var entries = await inner.GetAsync(bare, list, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            if (_changes == changes)
            {
                cache.Add(bare, entries, revision, settings.Current.Revision);
            }
        }

        return entries;
    }

    public async Task AddAsync(Jid owner, PrivacyListKind list, IReadOnlyCollection<Jid> entries, CancellationToken cancellationToken)
    {
        Changed(list);
        try
        {
            await inner.AddAsync(owner, list, entries, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Changed(list);
        }
    }

    public async Task RemoveAsync(Jid owner, PrivacyListKind list, IReadOnlyCollection<Jid>? entries, CancellationToken cancellationToken)
    {
        Changed(list);
        try
        {
            await inner.RemoveAsync(owner, list, entries, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Changed(list);
        }
    }

    private DirectoryLookupCache<IReadOnlyList<Jid>> CacheOf(PrivacyListKind list) => list switch
    {
        PrivacyListKind.Block => _block,
        PrivacyListKind.Allow => _allow,
        _ => throw new InvalidOperationException($"Internal error: unknown privacy list kind {list}."),
    };

    private void Changed(PrivacyListKind list)
    {
        lock (_gate)
        {
            _changes++;
            CacheOf(list).Clear();
        }
    }
}
