using System.Collections.Concurrent;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Storage;

/// <summary>
/// One shared, immutable <see cref="Jid"/> per stored address. The same contacts appear in many rosters; without
/// sharing, every online roster holds its own parsed copy (about 150 bytes per contact, the larger part of a
/// roster's memory). Bounded: past the capacity, addresses are parsed without being kept.
/// </summary>
public sealed class StoredJidCache(int capacity = 200_000)
{
    private readonly ConcurrentDictionary<string, Jid> _jids = new(StringComparer.Ordinal);

    public Jid Parse(string text)
    {
        if (_jids.TryGetValue(text, out var cached))
        {
            return cached;
        }

        var jid = StoredJid.Parse(text);
        if (_jids.Count < capacity)
        {
            _jids.TryAdd(text, jid);
        }

        return jid;
    }
}
