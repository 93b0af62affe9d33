using System.Net;

namespace Parley.Server.Management.Documents;

/// <summary>
/// Puts a configuration in its one stored form so equal configurations serialize to equal bytes: domain names,
/// FQDNs, site names, route transports and peer subjects lower case and trimmed, IP addresses in canonical text,
/// route patterns reversed, lists sorted by their whole key (ordinal; routes by pattern, priority, next hop, port). Duplicates are kept for <see cref="ConfigurationValidator"/> to report.
/// </summary>
public static class ConfigurationNormalizer
{
    public static DeploymentConfiguration Normalize(DeploymentConfiguration configuration) => new()
    {
        Topology = Normalize(configuration.Topology),
        Domains = configuration.Domains.Select(Name).Order(StringComparer.Ordinal).ToArray(),
        Presence = configuration.Presence,
        Federation = configuration.Federation with { RoutingNode = NameOrNull(configuration.Federation.RoutingNode) },
        StaticRoutes = configuration.StaticRoutes
            .Select(r => r with { Pattern = RoutePattern(r.Pattern, r.RouteType), NextHop = Address(r.NextHop), Transport = Name(r.Transport) })
            .OrderBy(r => r.Pattern, StringComparer.Ordinal).ThenBy(r => r.Priority).ThenBy(r => r.NextHop, StringComparer.Ordinal).ThenBy(r => r.Port)
            .ThenBy(r => r.RouteType).ThenBy(r => r.Transport, StringComparer.Ordinal).ThenBy(r => r.Description, StringComparer.Ordinal).ToArray(),
        IncomingAcl = configuration.IncomingAcl.Select(a => a with { Address = Address(a.Address) })
            .OrderBy(a => a.Address, StringComparer.Ordinal).ThenBy(a => a.Description, StringComparer.Ordinal).ToArray(),
        TlsListeners = configuration.TlsListeners.Select(l => l with { Node = Name(l.Node) })
            .OrderBy(l => l.Node, StringComparer.Ordinal).ThenBy(l => l.Port).ToArray(),
        TlsPeerSubjects = configuration.TlsPeerSubjects.Select(s => s with { Subject = Name(s.Subject) })
            .OrderBy(s => s.Subject, StringComparer.Ordinal).ToArray(),
        SipFederationDomains = configuration.SipFederationDomains.Select(d => d with { Domain = Name(d.Domain) })
            .OrderBy(d => d.Domain, StringComparer.Ordinal).ToArray(),
    };

    public static Topology Normalize(Topology topology) => new()
    {
        Sites = topology.Sites.Select(s => s with { Name = Name(s.Name) }).OrderBy(s => s.Name, StringComparer.Ordinal).ToArray(),
        Pools = topology.Pools.Select(p => new Pool(Name(p.Fqdn), Name(p.Site))).OrderBy(p => p.Fqdn, StringComparer.Ordinal).ToArray(),
        Nodes = topology.Nodes.Select(n => n with { Fqdn = Name(n.Fqdn), Ip = Address(n.Ip), Pool = Name(n.Pool) })
            .OrderBy(n => n.Fqdn, StringComparer.Ordinal).ToArray(),
        Homing = new UserHoming
        {
            DefaultPool = NameOrNull(topology.Homing.DefaultPool),
            Domains = Map(topology.Homing.Domains),
            Users = Map(topology.Homing.Users),
        },
    };

    public static string Name(string value) => (value ?? string.Empty).Trim().ToLowerInvariant();

    private static string? NameOrNull(string? value) => value is null ? null : Name(value);

    /// <summary>
    /// The stored form of a route pattern (<see cref="StaticRoutePattern.Normalize"/>): one route typed as
    /// <c>example.com</c>, <c>*.example.com</c> or <c>com.example.*</c> is stored as <c>.com.example.*</c>. A pattern
    /// that is not valid is kept trimmed and lower case for the validator to report.
    /// </summary>
    public static string RoutePattern(string pattern, StaticRouteType type)
        => StaticRoutePattern.Normalize(pattern, type, out _) ?? Name(pattern);

    /// <summary>An IP or CIDR in canonical text (so ::1 and 0:0::1 are one entry); anything else (a name, <c>all</c>) lower case.</summary>
    public static string Address(string value)
    {
        var trimmed = (value ?? string.Empty).Trim();
        var slash = trimmed.IndexOf('/');
        if (slash < 0)
        {
            return DocumentSyntax.TryParseIp(trimmed, out var ip) ? ip.ToString() : trimmed.ToLowerInvariant();
        }

        return DocumentSyntax.CheckAddressOrNetwork(trimmed) is null && IPNetwork.TryParse(trimmed, out var network) ? network.ToString() : trimmed.ToLowerInvariant();
    }

    // Keys that differ only in case collapse here; the validator reports them from the input before normalising.
    private static SortedDictionary<string, string> Map(IReadOnlyDictionary<string, string> map)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            result.TryAdd(Name(key), Name(value));
        }

        return result;
    }
}
