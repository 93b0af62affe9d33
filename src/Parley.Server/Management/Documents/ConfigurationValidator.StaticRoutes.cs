namespace Parley.Server.Management.Documents;

/// <summary>
/// Static routes (seed 003 ch.5 §4): several routes may share a pattern as primary (priority 1) and backups, but one
/// pattern never has two routes with one priority (which to try first would be a guess), nor two routes to one next
/// hop and port (the backup would add nothing, and <c>parley federation route remove</c> could not tell them apart).
/// </summary>
public static partial class ConfigurationValidator
{
    /// <summary>The largest priority: Cisco IM&amp;P's range, and far from overflowing when the next free one is suggested.</summary>
    public const int MaxRoutePriority = 65535;

    private static readonly string[] Transports = ["tcp", "tls"];

    private static void ValidateStaticRoutes(IReadOnlyList<StaticRoute> routes, ValidationErrors errors)
    {
        var patterns = routes.Select(r => Enum.IsDefined(r.RouteType) ? StaticRoutePattern.Normalize(r.Pattern, r.RouteType, out _) : null).ToArray();
        var byPriority = new Dictionary<(StaticRouteType, string, int), int>();
        var byHop = new Dictionary<(StaticRouteType, string, string, int), int>();
        for (var i = 0; i < routes.Count; i++)
        {
            var route = routes[i];
            var field = $"{DocumentNames.StaticRoutes}[{i}]";
            var valid = CheckRouteFields(route, field, errors);
            if (patterns[i] is not { } pattern || !valid)
            {
                continue;
            }

            var hop = ConfigurationNormalizer.Address(route.NextHop);
            if (!byHop.TryAdd((route.RouteType, pattern, hop, route.Port), i))
            {
                var other = byHop[(route.RouteType, pattern, hop, route.Port)];
                errors.Add(routes[other].Priority == route.Priority ? $"{field}.pattern" : $"{field}.nextHop",
                    $"route {pattern} → {hop}:{route.Port} is listed twice (also {DocumentNames.StaticRoutes}[{other}], priority {routes[other].Priority})",
                    "remove the duplicate; a backup route needs a different next hop");
            }
            else if (!byPriority.TryAdd((route.RouteType, pattern, route.Priority), i))
            {
                var other = byPriority[(route.RouteType, pattern, route.Priority)];
                var next = routes.Where((r, k) => patterns[k] == pattern && r.RouteType == route.RouteType).Max(r => r.Priority) + 1;
                errors.Add($"{field}.priority",
                    $"{DocumentNames.StaticRoutes}[{other}] already routes {pattern} with priority {route.Priority} (next hop {ConfigurationNormalizer.Address(routes[other].NextHop)}:{routes[other].Port}); priorities must differ",
                    $"use priority {next} for a backup (lower numbers are tried first)");
            }
        }
    }

    /// <summary>Checks each field of one route on its own; true when all are valid.</summary>
    private static bool CheckRouteFields(StaticRoute route, string field, ValidationErrors errors)
    {
        var before = errors.List.Count;
        if (!Enum.IsDefined(route.RouteType))
        {
            errors.Add($"{field}.routeType", $"'{route.RouteType}' is not a route type", "use domain (match the host of the Request-URI) or user (match its user part)");
        }
        else if (StaticRoutePattern.Normalize(route.Pattern, route.RouteType, out var problem) is null)
        {
            errors.Add($"{field}.pattern", problem!, route.RouteType == StaticRouteType.User
                ? "give a user part (alice, +14085551234) or a prefix ending in * (+1408*)"
                : "use a domain (partner.com, also *.partner.com), its reversed form (.com.partner.*), or one host reversed without a wildcard (.com.partner.lync)");
        }

        var hop = (route.NextHop ?? string.Empty).Trim();
        if (!DocumentSyntax.TryParseIp(hop, out _) && !DocumentSyntax.IsHostName(hop.ToLowerInvariant()))
        {
            errors.Add($"{field}.nextHop", $"'{route.NextHop}' is neither an FQDN nor an IP address", "give the next hop's FQDN or IP address, without a port");
        }

        if (CheckPort(route.Port, zeroAllowed: false) is { } portProblem)
        {
            errors.Add($"{field}.port", portProblem, $"use 1–{MaxPort} (5061 for SIP over TLS, 5060 for TCP)");
        }

        if (!Transports.Contains(ConfigurationNormalizer.Name(route.Transport)))
        {
            errors.Add($"{field}.transport", $"transport '{route.Transport}' is not supported", "use tls (or tcp on a trusted network)");
        }

        if (route.Priority is < 1 or > MaxRoutePriority)
        {
            errors.Add($"{field}.priority", $"priority {route.Priority} is not 1–{MaxRoutePriority}", "use 1 for the primary route and 2, 3… for its backups");
        }

        if (!Enum.IsDefined(route.Flavour))
        {
            errors.Add($"{field}.flavour", $"'{route.Flavour}' is not a peer flavour", "use lync (session-mode IM, Lync/OCS) or generic (page-mode MESSAGE)");
        }

        return errors.List.Count == before;
    }
}
