namespace Parley.Server.Management.Documents;

/// <summary>The federation documents (seed 003 ch.4–6, ch.9): options, incoming ACL and TLS peer subjects here; routes, listeners and SIP federation domains in their own files.</summary>
public static partial class ConfigurationValidator
{
    /// <summary>RFC 5280 ub-common-name: a CN longer than this cannot be in a certificate, so it could never match.</summary>
    private const int MaxCommonNameLength = 64;

    private static void ValidateFederation(DeploymentConfiguration configuration, ValidationErrors errors)
    {
        ValidateFederationOptions(configuration.Federation, configuration.Topology, errors);
        ValidateStaticRoutes(configuration.StaticRoutes, errors);
        ValidateAcl(configuration.IncomingAcl, errors);
        ValidateTlsListeners(configuration.TlsListeners, configuration.Topology, errors);
        ValidatePeerSubjects(configuration.TlsPeerSubjects, errors);
        ValidateSipFederationDomains(configuration, errors);
    }

    private static void ValidateFederationOptions(FederationOptions federation, Topology topology, ValidationErrors errors)
    {
        if (!Enum.IsDefined(federation.RoutingMode))
        {
            errors.Add($"{DocumentNames.Federation}.routingMode", $"'{federation.RoutingMode}' is not a routing mode", "use basic or advanced");
        }

        if (federation.RoutingNode is not { } routing)
        {
            return;
        }

        var name = ConfigurationNormalizer.Name(routing);
        if (!DocumentSyntax.IsHostName(name))
        {
            errors.Add($"{DocumentNames.Federation}.routingNode", $"'{routing}' is not a valid FQDN", "use the FQDN of a node or pool of the topology");
        }
        else if (!topology.Nodes.Any(n => ConfigurationNormalizer.Name(n.Fqdn) == name) && !topology.Pools.Any(p => ConfigurationNormalizer.Name(p.Fqdn) == name))
        {
            errors.Add($"{DocumentNames.Federation}.routingNode", $"{name} is neither a node nor a pool of the topology", "add it to the topology first, or name an existing node or pool");
        }
    }

    private static void ValidateAcl(IReadOnlyList<AclEntry> acl, ValidationErrors errors)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < acl.Count; i++)
        {
            var field = $"{DocumentNames.IncomingAcl}[{i}].address";
            var address = (acl[i].Address ?? string.Empty).Trim();
            if (CheckAclAddress(address) is { } problem)
            {
                errors.Add(field, problem,
                    "give all, an IP address (10.0.0.5), a network in CIDR form with the host bits zero (10.0.0.0/24), or a DNS name (lync.partner.com; a domain such as partner.com covers every host whose reverse DNS name ends in it)");
                continue;
            }

            var canonical = ConfigurationNormalizer.Address(address);
            if (!seen.TryAdd(canonical, i))
            {
                errors.Add(field, $"{canonical} is listed twice (also {DocumentNames.IncomingAcl}[{seen[canonical]}])", "remove the duplicate");
            }
        }
    }

    /// <summary>Null for <c>all</c>, an IP, a CIDR network or a DNS name; else what is wrong (the address problem when it looks like one).</summary>
    private static string? CheckAclAddress(string address)
    {
        if (string.Equals(address, AclEntry.All, StringComparison.OrdinalIgnoreCase) || DocumentSyntax.IsHostName(address.ToLowerInvariant()))
        {
            return null;
        }

        var problem = DocumentSyntax.CheckAddressOrNetwork(address);
        var looksLikeAddress = address.Length > 0 && address.All(c => char.IsAsciiHexDigit(c) || c is '.' or ':' or '/');
        return problem is null || looksLikeAddress ? problem : $"'{address}' is not all, an IP address, a CIDR network or a DNS name";
    }

    private static void ValidatePeerSubjects(IReadOnlyList<TlsPeerSubject> subjects, ValidationErrors errors)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < subjects.Count; i++)
        {
            var field = $"{DocumentNames.TlsPeerSubjects}[{i}].subject";
            var subject = ConfigurationNormalizer.Name(subjects[i].Subject);
            if (CheckCommonName(subject) is { } bad)
            {
                errors.Add(field, bad.Problem, bad.Fix);
            }
            else if (!seen.TryAdd(subject, i))
            {
                errors.Add(field, $"{subject} is listed twice (also {DocumentNames.TlsPeerSubjects}[{seen[subject]}]; subjects are compared without case)", "remove the duplicate");
            }
        }
    }

    private static (string Problem, string Fix)? CheckCommonName(string subject)
    {
        const string Example = "give the subject common name (CN) of the certificate the peer presents, e.g. lync.partner.com";
        if (subject.Length == 0)
        {
            return ("the subject is empty", Example);
        }

        if (subject.Contains('*', StringComparison.Ordinal))
        {
            return ($"'{subject}' has a wildcard; subjects are compared whole, never as patterns", "list each server's and pool's CN on its own");
        }

        if (subject.Contains(',', StringComparison.Ordinal) || subject.StartsWith("cn=", StringComparison.Ordinal))
        {
            return ($"'{subject}' looks like a distinguished name, not a common name", "give only the CN value (lync.partner.com, not CN=lync.partner.com, O=Partner)");
        }

        if (subject.Length > MaxCommonNameLength || subject.Any(char.IsControl))
        {
            return ($"'{subject}' cannot be a certificate common name (at most {MaxCommonNameLength} printable characters)", Example);
        }

        return null;
    }
}
