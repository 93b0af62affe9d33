namespace Parley.Server.Management;

/// <summary>An immutable view of the deployment settings at one revision. Cheap to read on hot paths.</summary>
public sealed record DeploymentSnapshot(long Revision, IReadOnlySet<string> Domains, PresenceSettings Presence)
{
    public bool HostsDomain(string domain) => Domains.Contains(domain);
}
