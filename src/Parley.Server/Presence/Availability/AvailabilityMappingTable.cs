using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace Parley.Server.Presence.Availability;

/// <summary>One row of a mapping table: a state name in the source vocabulary and its translation.</summary>
public sealed record AvailabilityMappingRow(string From, string To);

/// <summary>
/// A translation of presence states from one vocabulary to another, kept as data so that tables can be read
/// against their sources row by row. Mappings are usually lossy and one-way: the reverse is a separate table.
/// </summary>
public sealed class AvailabilityMappingTable
{
    private readonly FrozenDictionary<string, string> _lookup;

    public AvailabilityMappingTable(string name, PresenceVocabulary from, PresenceVocabulary to, IEnumerable<AvailabilityMappingRow> rows)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(rows);
        Name = name;
        From = from;
        To = to;
        Rows = [.. rows];

        var lookup = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in Rows)
        {
            // A source state mapped twice would make the result depend on row order: reject the table instead.
            if (!lookup.TryAdd(row.From, row.To))
            {
                throw new ArgumentException($"table '{name}' maps '{row.From}' more than once", nameof(rows));
            }
        }

        _lookup = lookup.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Where the table comes from, e.g. "Seed Table 8: third-party XMPP → Lync/MOC".</summary>
    public string Name { get; }

    public PresenceVocabulary From { get; }

    public PresenceVocabulary To { get; }

    public IReadOnlyList<AvailabilityMappingRow> Rows { get; }

    public bool TryMap(string state, [NotNullWhen(true)] out string? mapped) => _lookup.TryGetValue(state, out mapped);

    public string Map(string state)
        => TryMap(state, out var mapped) ? mapped : throw new KeyNotFoundException($"table '{Name}' has no row for state '{state}'");

    public override string ToString() => Name;
}
