namespace Parley.Server.Management.Documents;

/// <summary>
/// Validates a whole configuration before a change is accepted. Field paths index the lists as given (so an
/// error points at the entry the administrator wrote); names are compared in their normalised form, so
/// <c>Example.COM</c> and <c>example.com</c> are one domain. <see cref="Prepare"/> is what the store calls.
/// </summary>
public static partial class ConfigurationValidator
{
    public const int MaxPort = 65535;

    /// <summary>Validates, then normalises; throws <see cref="ConfigurationValidationException"/> with every error.</summary>
    public static DeploymentConfiguration Prepare(DeploymentConfiguration configuration)
    {
        var errors = Validate(configuration);
        return errors.Count > 0 ? throw new ConfigurationValidationException(errors) : ConfigurationNormalizer.Normalize(configuration);
    }

    public static IReadOnlyList<ConfigurationError> Validate(DeploymentConfiguration configuration)
    {
        var errors = new ValidationErrors();
        ValidateTopology(configuration.Topology, errors);
        ValidateDomains(configuration.Domains, errors);
        ValidatePresence(configuration.Presence, errors);
        ValidateFederation(configuration, errors);
        return errors.List;
    }

    private static void ValidateDomains(IReadOnlyList<string> domains, ValidationErrors errors)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < domains.Count; i++)
        {
            var field = $"{DocumentNames.Domains}[{i}]";
            var name = ConfigurationNormalizer.Name(domains[i]);
            if (!DocumentSyntax.IsHostName(name))
            {
                errors.Add(field, $"'{domains[i]}' is not a valid domain name", "use a DNS name such as example.com (letters, digits, inner hyphens, dot-separated labels)");
            }
            else if (!seen.TryAdd(name, i))
            {
                errors.Add(field, $"domain {name} is listed twice (also {DocumentNames.Domains}[{seen[name]}])", "remove the duplicate");
            }
        }
    }

    private static void ValidatePresence(PresenceSettings presence, ValidationErrors errors)
    {
        CheckPresenceLimit("maxContactListSize", new PresenceSettings { MaxContactListSize = presence.MaxContactListSize, MaxWatchers = null }, errors);
        CheckPresenceLimit("maxWatchers", new PresenceSettings { MaxContactListSize = null, MaxWatchers = presence.MaxWatchers }, errors);
        CheckPresenceLimit("notifyCoalescingMs", new PresenceSettings { MaxContactListSize = null, MaxWatchers = null, NotifyCoalescingMs = presence.NotifyCoalescingMs }, errors);
    }

    private static void CheckPresenceLimit(string property, PresenceSettings one, ValidationErrors errors)
    {
        if (PresenceSettingsValidation.Validate(one) is { } message)
        {
            var cut = message.IndexOf(" Fix: ", StringComparison.Ordinal);
            errors.Add($"{DocumentNames.Presence}.{property}", message[..cut].TrimEnd('.'), message[(cut + 6)..].TrimEnd('.'));
        }
    }

    /// <summary>Null when a port is a listening port (1–65535) or 0 (off, when allowed).</summary>
    private static string? CheckPort(int port, bool zeroAllowed)
        => port is < 0 or > MaxPort || (port == 0 && !zeroAllowed)
            ? $"port {port} is out of range"
            : null;

    private sealed class ValidationErrors
    {
        public List<ConfigurationError> List { get; } = [];

        public void Add(string field, string problem, string fix) => List.Add(new ConfigurationError(field, problem, fix));
    }
}
