namespace Parley.Server.Management.Documents;

/// <summary>
/// SIP federation domains (seed 003 ch.9): remote domains reached through the peer. A domain is either hosted here
/// (shared with the peer) or remote. A domain without a matching static route is allowed, because the seed's own
/// procedures pass through that state (the domain is configured before its route, and the route is deleted before the
/// domain); requests for it then fail with the "no static route" event, and <c>parley federation show</c> marks it.
/// </summary>
public static partial class ConfigurationValidator
{
    private static void ValidateSipFederationDomains(DeploymentConfiguration configuration, ValidationErrors errors)
    {
        var hosted = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < configuration.Domains.Count; i++)
        {
            hosted.TryAdd(ConfigurationNormalizer.Name(configuration.Domains[i]), i);
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var domains = configuration.SipFederationDomains;
        for (var i = 0; i < domains.Count; i++)
        {
            var field = $"{DocumentNames.SipFederationDomains}[{i}].domain";
            var name = ConfigurationNormalizer.Name(domains[i].Domain);
            if (!DocumentSyntax.IsHostName(name))
            {
                errors.Add(field, $"'{domains[i].Domain}' is not a valid domain name", "use the remote domain's DNS name, e.g. partner.com");
            }
            else if (hosted.TryGetValue(name, out var index))
            {
                errors.Add(field, $"{name} is a hosted domain ({DocumentNames.Domains}[{index}])",
                    "a domain is either hosted here (and shared with the peer) or a remote SIP federation domain: remove it from one of the two lists");
            }
            else if (!seen.TryAdd(name, i))
            {
                errors.Add(field, $"{name} is listed twice (also {DocumentNames.SipFederationDomains}[{seen[name]}])", "remove the duplicate");
            }
        }
    }
}
