namespace Parley.Server.Management.Documents;

public static partial class ConfigurationValidator
{
    private static readonly string[] Transports = ["tcp", "tls"];

    private static void ValidateFederation(DeploymentConfiguration configuration, ValidationErrors errors)
    {
        var topology = configuration.Topology;
        var nodes = topology.Nodes.Select(n => ConfigurationNormalizer.Name(n.Fqdn)).ToHashSet(StringComparer.Ordinal);
        var federation = configuration.Federation;
        if (!Enum.IsDefined(federation.RoutingMode))
        {
            errors.Add($"{DocumentNames.Federation}.routingMode", $"'{federation.RoutingMode}' is not a routing mode", "use basic or advanced");
        }

        if (federation.RoutingNode is { } routing)
        {
            var name = ConfigurationNormalizer.Name(routing);
            if (!DocumentSyntax.IsHostName(name))
            {
                errors.Add($"{DocumentNames.Federation}.routingNode", $"'{routing}' is not a valid FQDN", "use the FQDN of a node or pool of the topology");
            }
            else if (!nodes.Contains(name) && !topology.Pools.Any(p => ConfigurationNormalizer.Name(p.Fqdn) == name))
            {
                errors.Add($"{DocumentNames.Federation}.routingNode", $"{name} is neither a node nor a pool of the topology", "add it to the topology first, or name an existing node or pool");
            }
        }

        ValidateStaticRoutes(configuration.StaticRoutes, errors);
        ValidateAcl(configuration.IncomingAcl, errors);
        ValidateTlsListeners(configuration.TlsListeners, nodes, errors);
        ValidatePeerSubjects(configuration.TlsPeerSubjects, errors);
    }

    private static void ValidateStaticRoutes(IReadOnlyList<StaticRoute> routes, ValidationErrors errors)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < routes.Count; i++)
        {
            var route = routes[i];
            var field = $"{DocumentNames.StaticRoutes}[{i}]";
            var pattern = ConfigurationNormalizer.Name(route.Pattern);
            if (!DocumentSyntax.IsRoutePattern(pattern))
            {
                errors.Add($"{field}.pattern", $"'{route.Pattern}' is not a domain or *.domain pattern", "use a domain (partner.com) or a wildcard for its subdomains (*.partner.com)");
            }
            else if (!seen.TryAdd(pattern, i))
            {
                errors.Add($"{field}.pattern", $"pattern {pattern} is listed twice (also {DocumentNames.StaticRoutes}[{seen[pattern]}])", "keep one route per pattern");
            }

            var hop = (route.NextHop ?? string.Empty).Trim();
            if (!DocumentSyntax.TryParseIp(hop, out _) && !DocumentSyntax.IsHostName(hop.ToLowerInvariant()))
            {
                errors.Add($"{field}.nextHop", $"'{route.NextHop}' is neither an FQDN nor an IP address", "give the next hop's FQDN or IP address, without a port");
            }

            if (CheckPort(route.Port, zeroAllowed: false) is { } problem)
            {
                errors.Add($"{field}.port", problem, $"use 1–{MaxPort} (5061 for SIP over TLS)");
            }

            if (!Transports.Contains(ConfigurationNormalizer.Name(route.Transport)))
            {
                errors.Add($"{field}.transport", $"transport '{route.Transport}' is not supported", "use tls (or tcp on a trusted network)");
            }
        }
    }

    private static void ValidateAcl(IReadOnlyList<AclEntry> acl, ValidationErrors errors)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < acl.Count; i++)
        {
            var field = $"{DocumentNames.IncomingAcl}[{i}].address";
            var address = (acl[i].Address ?? string.Empty).Trim();
            if (DocumentSyntax.CheckAddressOrNetwork(address) is { } problem)
            {
                errors.Add(field, problem, "give an IP address (10.0.0.5) or a network in CIDR form with the host bits zero (10.0.0.0/24)");
                continue;
            }

            var canonical = ConfigurationNormalizer.Normalize(new DeploymentConfiguration { IncomingAcl = [acl[i]] }).IncomingAcl[0].Address;
            if (!seen.TryAdd(canonical, i))
            {
                errors.Add(field, $"{canonical} is listed twice (also {DocumentNames.IncomingAcl}[{seen[canonical]}])", "remove the duplicate");
            }
        }
    }

    private static void ValidateTlsListeners(IReadOnlyList<TlsListener> listeners, HashSet<string> nodes, ValidationErrors errors)
    {
        var seen = new Dictionary<(string, int), int>();
        for (var i = 0; i < listeners.Count; i++)
        {
            var listener = listeners[i];
            var field = $"{DocumentNames.TlsListeners}[{i}]";
            var node = ConfigurationNormalizer.Name(listener.Node);
            if (!nodes.Contains(node))
            {
                errors.Add($"{field}.node", $"node '{listener.Node}' is not in {DocumentNames.Topology}.nodes", "add the node to the topology first (`parley topology node add`), or fix the name");
            }

            if (CheckPort(listener.Port, zeroAllowed: false) is { } problem)
            {
                errors.Add($"{field}.port", problem, $"use 1–{MaxPort}");
            }
            else if (!seen.TryAdd((node, listener.Port), i))
            {
                errors.Add($"{field}.port", $"node {node} already has a TLS listener on port {listener.Port} ({DocumentNames.TlsListeners}[{seen[(node, listener.Port)]}])", "keep one entry per node and port");
            }
        }
    }

    private static void ValidatePeerSubjects(IReadOnlyList<TlsPeerSubject> subjects, ValidationErrors errors)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < subjects.Count; i++)
        {
            var field = $"{DocumentNames.TlsPeerSubjects}[{i}].subject";
            var subject = ConfigurationNormalizer.Name(subjects[i].Subject);
            if (subject.Length == 0)
            {
                errors.Add(field, "the subject is empty", "give the certificate subject or DNS name the peer presents, e.g. sip.partner.com");
            }
            else if (!seen.TryAdd(subject, i))
            {
                errors.Add(field, $"{subject} is listed twice (also {DocumentNames.TlsPeerSubjects}[{seen[subject]}])", "remove the duplicate");
            }
        }
    }
}
