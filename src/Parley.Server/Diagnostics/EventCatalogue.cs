using System.Collections.Frozen;
using System.Reflection;

namespace Parley.Server.Diagnostics;

/// <summary>An ID range reserved for one area of the catalogue.</summary>
public sealed record EventRange(string Area, int First, int Last, Type Definitions)
{
    public bool Contains(int id) => id >= First && id <= Last;
}

/// <summary>Lookup over <see cref="ParleyEvents"/>: every definition, by ID, and the reserved ranges.</summary>
public static class EventCatalogue
{
    public static readonly IReadOnlyList<EventRange> Ranges =
    [
        new("management and replication", 1000, 1999, typeof(ParleyEvents.Management)),
        new("XMPP client authentication", 3000, 3099, typeof(ParleyEvents.Authentication)),
        new("TLS and certificates", 3100, 3199, typeof(ParleyEvents.Tls)),
        new("limits", 3200, 3299, typeof(ParleyEvents.Limits)),
        new("storage", 3300, 3399, typeof(ParleyEvents.Storage)),
        new("node lifecycle", 3400, 3499, typeof(ParleyEvents.Lifecycle)),
        new("SIP presence", 3550, 3599, typeof(ParleyEvents.SipPresence)),
        new("SIP", 3500, 3549, typeof(ParleyEvents.Sip)),
        new("federation", 3600, 3699, typeof(ParleyEvents.Federation)),
    ];

    /// <summary>IDs kept for the events named after the seed's replication events (1015 certificate, 1017 unreachable, 1034 access denied).</summary>
    public static readonly IReadOnlyList<int> ReservedIds = [1015, 1017, 1034];

    /// <summary>Every definition, ordered by ID.</summary>
    public static readonly IReadOnlyList<EventDefinition> All = Ranges
        .SelectMany(range => range.Definitions
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.FieldType == typeof(EventDefinition))
            .Select(field => (EventDefinition)field.GetValue(null)!))
        .OrderBy(definition => definition.Id)
        .ToArray();

    private static readonly FrozenDictionary<int, EventDefinition> ById = All.ToFrozenDictionary(definition => definition.Id);

    public static EventDefinition? Find(int id) => ById.GetValueOrDefault(id);

    public static EventRange? RangeOf(int id) => Ranges.FirstOrDefault(range => range.Contains(id));
}
