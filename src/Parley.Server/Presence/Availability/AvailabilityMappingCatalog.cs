using System.Diagnostics.CodeAnalysis;

namespace Parley.Server.Presence.Availability;

/// <summary>
/// The mapping tables the server knows, found by (from, to) vocabulary. Built at start-up (tables from
/// configuration or later protocols are passed in) and immutable afterwards.
/// </summary>
public sealed class AvailabilityMappingCatalog
{
    private readonly Dictionary<(PresenceVocabulary From, PresenceVocabulary To), AvailabilityMappingTable> _tables = [];

    public AvailabilityMappingCatalog(IEnumerable<AvailabilityMappingTable> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        foreach (var table in tables)
        {
            if (!_tables.TryAdd((table.From, table.To), table))
            {
                throw new ArgumentException($"two tables map {table.From} → {table.To}: '{_tables[(table.From, table.To)].Name}' and '{table.Name}'", nameof(tables));
            }
        }
    }

    /// <summary>A catalog of the built-in tables (<see cref="AvailabilityTables.All"/>).</summary>
    public static AvailabilityMappingCatalog CreateDefault() => new(AvailabilityTables.All);

    public IEnumerable<AvailabilityMappingTable> Tables => _tables.Values;

    public bool TryFind(PresenceVocabulary from, PresenceVocabulary to, [NotNullWhen(true)] out AvailabilityMappingTable? table)
        => _tables.TryGetValue((from, to), out table);

    /// <summary>Translates a state when a direct table exists and has a row for it.</summary>
    public bool TryMap(PresenceVocabulary from, PresenceVocabulary to, string state, [NotNullWhen(true)] out string? mapped)
    {
        mapped = null;
        return TryFind(from, to, out var table) && table.TryMap(state, out mapped);
    }
}
