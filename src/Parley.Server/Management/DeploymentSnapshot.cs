using System.Collections.Frozen;
using Parley.Server.Management.Documents;

namespace Parley.Server.Management;

/// <summary>
/// An immutable view of the deployment settings at one revision. Cheap to read on hot paths: <see cref="Domains"/>
/// and <see cref="Presence"/> are ready-made; <see cref="Configuration"/> holds every document.
/// </summary>
public sealed record DeploymentSnapshot(long Revision, IReadOnlySet<string> Domains, PresenceSettings Presence)
{
    /// <summary>Every CMS document at this revision (defaults to the domains and presence given).</summary>
    public DeploymentConfiguration Configuration { get; init; } = new() { Domains = Domains.Order(StringComparer.Ordinal).ToArray(), Presence = Presence };

    public bool HostsDomain(string domain) => Domains.Contains(domain);

    public static DeploymentSnapshot From(long revision, DeploymentConfiguration configuration)
        => new(revision, configuration.Domains.ToFrozenSet(StringComparer.Ordinal), configuration.Presence) { Configuration = configuration };
}
