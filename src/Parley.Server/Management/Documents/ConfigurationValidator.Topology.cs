using Parley.Server.Configuration;

namespace Parley.Server.Management.Documents;

public static partial class ConfigurationValidator
{
    private static readonly (string Name, Func<NodeListeners, int> Port)[] Listeners =
    [
        ("xmpp", l => l.Xmpp),
        ("sip", l => l.Sip),
        ("sipTls", l => l.SipTls),
        ("sipPeerTls", l => l.SipPeerTls),
        ("replicaAgent", l => l.ReplicaAgent),
        ("admin", l => l.Admin),
    ];

    private static void ValidateTopology(Topology topology, ValidationErrors errors)
    {
        const string prefix = DocumentNames.Topology;
        var sites = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < topology.Sites.Count; i++)
        {
            var name = ConfigurationNormalizer.Name(topology.Sites[i].Name);
            if (name.Length == 0)
            {
                errors.Add($"{prefix}.sites[{i}].name", "the site name is empty", "give the site a name, e.g. \"hq\"");
            }
            else if (!sites.TryAdd(name, i))
            {
                errors.Add($"{prefix}.sites[{i}].name", $"site {name} is listed twice (also {prefix}.sites[{sites[name]}])", "remove the duplicate or rename one");
            }
        }

        var pools = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < topology.Pools.Count; i++)
        {
            var pool = topology.Pools[i];
            var fqdn = ConfigurationNormalizer.Name(pool.Fqdn);
            if (CheckFqdn($"{prefix}.pools[{i}].fqdn", pool.Fqdn, errors) && !pools.TryAdd(fqdn, i))
            {
                errors.Add($"{prefix}.pools[{i}].fqdn", $"pool {fqdn} is listed twice (also {prefix}.pools[{pools[fqdn]}])", "remove the duplicate");
            }

            var site = ConfigurationNormalizer.Name(pool.Site);
            if (!sites.ContainsKey(site))
            {
                errors.Add($"{prefix}.pools[{i}].site", $"pool {fqdn} is in site '{pool.Site}', which is not in {prefix}.sites",
                    $"add the site first (`parley topology site add {site}`) or use one of: {Known(sites.Keys)}");
            }
        }

        ValidateNodes(topology, pools, errors);
        ValidateHoming(topology.Homing, pools, errors);
    }

    private static void ValidateNodes(Topology topology, Dictionary<string, int> pools, ValidationErrors errors)
    {
        const string prefix = DocumentNames.Topology;
        var nodes = new Dictionary<string, int>(StringComparer.Ordinal);
        var endpoints = new Dictionary<(string Ip, int Port), string>();
        int? cms = null;
        for (var i = 0; i < topology.Nodes.Count; i++)
        {
            var node = topology.Nodes[i];
            var field = $"{prefix}.nodes[{i}]";
            var fqdn = ConfigurationNormalizer.Name(node.Fqdn);
            if (CheckFqdn($"{field}.fqdn", node.Fqdn, errors) && !nodes.TryAdd(fqdn, i))
            {
                errors.Add($"{field}.fqdn", $"node {fqdn} is listed twice (also {prefix}.nodes[{nodes[fqdn]}])", "remove the duplicate; each server is listed once");
            }

            var ipValid = DocumentSyntax.TryParseIp(node.Ip?.Trim() ?? string.Empty, out var ip);
            if (!ipValid)
            {
                errors.Add($"{field}.ip", $"'{node.Ip}' is not an IP address", "give the address other nodes reach this node on, e.g. 10.0.0.5 or 2001:db8::5");
            }

            if (!pools.ContainsKey(ConfigurationNormalizer.Name(node.Pool)))
            {
                errors.Add($"{field}.pool", $"node {fqdn} is in pool '{node.Pool}', which is not in {prefix}.pools",
                    $"add the pool first (`parley topology pool add {ConfigurationNormalizer.Name(node.Pool)} --site SITE`) or use one of: {Known(pools.Keys)}");
            }

            if (node.Roles == NodeRole.None || (node.Roles & ~NodeRole.All) != 0)
            {
                errors.Add($"{field}.roles", $"roles '{node.Roles}' is not a set of known roles", "give one or more of frontend, routing, edge, cms");
            }
            else if (node.Roles.HasFlag(NodeRole.Cms))
            {
                if (cms is { } first)
                {
                    errors.Add($"{field}.roles", $"node {fqdn} has the cms role, and so does {prefix}.nodes[{first}] ({ConfigurationNormalizer.Name(topology.Nodes[first].Fqdn)}); there is one CMS master",
                        "keep the cms role on one node only (move the master with `parley replication move-master`)");
                }
                else
                {
                    cms = i;
                }
            }

            ValidateListeners(field, fqdn, node.Listeners, ipValid ? ip.ToString() : null, endpoints, errors);
        }
    }

    private static void ValidateListeners(string field, string fqdn, NodeListeners listeners, string? ip,
        Dictionary<(string Ip, int Port), string> endpoints, ValidationErrors errors)
    {
        var used = new Dictionary<int, string>();
        foreach (var (name, port) in Listeners)
        {
            var value = port(listeners);
            if (CheckPort(value, zeroAllowed: true) is { } problem)
            {
                errors.Add($"{field}.listeners.{name}", problem, $"use 1–{MaxPort}, or 0 for not listening");
                continue;
            }

            if (value == 0)
            {
                continue;
            }

            // SIP over UDP and TCP share the sip port; any other two listeners on one port cannot both bind it.
            if (!used.TryAdd(value, name))
            {
                errors.Add($"{field}.listeners.{name}", $"port {value} is already used by {field}.listeners.{used[value]} on node {fqdn}",
                    "give each listener of a node its own port");
            }
            else if (ip is not null && !endpoints.TryAdd((ip, value), $"{field}.listeners.{name}"))
            {
                errors.Add($"{field}.listeners.{name}", $"{ip}:{value} is already used by {endpoints[(ip, value)]}",
                    "give nodes that share an address different ports, or give them different addresses");
            }
        }
    }

    private static void ValidateHoming(UserHoming homing, Dictionary<string, int> pools, ValidationErrors errors)
    {
        const string prefix = $"{DocumentNames.Topology}.homing";
        if (homing.DefaultPool is { } defaultPool && !pools.ContainsKey(ConfigurationNormalizer.Name(defaultPool)))
        {
            errors.Add($"{prefix}.defaultPool", $"pool '{defaultPool}' is not in {DocumentNames.Topology}.pools", $"use one of: {Known(pools.Keys)}");
        }

        CheckHomingMap($"{prefix}.domains", homing.Domains, pools, errors, key => DocumentSyntax.IsHostName(key)
            ? null
            : ($"'{key}' is not a valid domain name", "use a DNS name such as example.com"));
        CheckHomingMap($"{prefix}.users", homing.Users, pools, errors, key =>
        {
            var at = key.IndexOf('@');
            return at > 0 && key.IndexOf('/') < 0 && DocumentSyntax.IsHostName(key[(at + 1)..])
                ? null
                : ($"'{key}' is not a bare user address", "use user@domain, without a resource");
        });
    }

    private static void CheckHomingMap(string prefix, IReadOnlyDictionary<string, string> map, Dictionary<string, int> pools, ValidationErrors errors,
        Func<string, (string Problem, string Fix)?> checkKey)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, pool) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var name = ConfigurationNormalizer.Name(key);
            var field = $"{prefix}.{key}";
            if (checkKey(name) is { } bad)
            {
                errors.Add(field, bad.Problem, bad.Fix);
            }
            else if (!seen.TryAdd(name, key))
            {
                errors.Add(field, $"'{key}' and '{seen[name]}' are the same name", "keep one entry");
            }

            if (!pools.ContainsKey(ConfigurationNormalizer.Name(pool)))
            {
                errors.Add(field, $"homed on pool '{pool}', which is not in {DocumentNames.Topology}.pools", $"use one of: {Known(pools.Keys)}");
            }
        }
    }

    private static bool CheckFqdn(string field, string value, ValidationErrors errors)
    {
        if (DocumentSyntax.IsHostName(ConfigurationNormalizer.Name(value)))
        {
            return true;
        }

        errors.Add(field, $"'{value}' is not a valid FQDN", "use the DNS name of the server or pool, e.g. fe1.example.com (it must match its certificate)");
        return false;
    }

    private static string Known(IEnumerable<string> names)
    {
        var list = names.Order(StringComparer.Ordinal).ToList();
        return list.Count == 0 ? "(none defined yet)" : string.Join(", ", list);
    }
}
