using System.Collections.Concurrent;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Directory;

/// <summary>
/// Recent directory answers for hot paths (every SIP request is authenticated and every message looks its recipient
/// up: two SQLite queries per request otherwise). Entries belong to one configuration revision: every directory change
/// writes a revision, so when <see cref="Parley.Server.Management.IDeploymentSettings"/> moves to a new one (at once in
/// the process that made the change, within its refresh interval for another process such as the CLI) the whole cache
/// is dropped. Only existing users are cached, so unknown names sent by an attacker cannot fill it; when full it is
/// cleared (honest lookups refill it).
/// </summary>
internal sealed class DirectoryLookupCache<T>(int capacity)
    where T : class
{
    private readonly ConcurrentDictionary<Jid, T> _entries = new();
    private readonly Lock _gate = new();
    private long _revision = long.MinValue;

    public int Count => _entries.Count;

    public bool TryGet(Jid user, long revision, out T value)
    {
        Sync(revision);
        return _entries.TryGetValue(user, out value!);
    }

    /// <summary>
    /// Keeps <paramref name="value"/>, read while <paramref name="readRevision"/> was current, unless a change happened
    /// meanwhile (the value may predate it).
    /// </summary>
    public void Add(Jid user, T value, long readRevision, long currentRevision)
    {
        if (capacity == 0 || readRevision != currentRevision)
        {
            return;
        }

        Sync(currentRevision);
        if (_entries.Count >= capacity)
        {
            _entries.Clear();
        }

        _entries[user] = value;
    }

    /// <summary>Drops everything: called by this process's own changes before the revision moves.</summary>
    public void Clear() => _entries.Clear();

    private void Sync(long revision)
    {
        if (Volatile.Read(ref _revision) == revision)
        {
            return;
        }

        lock (_gate)
        {
            if (_revision != revision)
            {
                _entries.Clear();
                Volatile.Write(ref _revision, revision);
            }
        }
    }
}
