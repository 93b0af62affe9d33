using System.Diagnostics;
using System.Net;
using Parley.Server.Diagnostics;
using Parley.Server.Management.Documents;
using Parley.Server.Sip.Core;

namespace Parley.Server.Federation.Inbound;

/// <summary>
/// Whether a source address is covered by the incoming ACL (seed 003 ch.5 §5): <c>all</c>, an IP address and a CIDR
/// network match at once; a DNS name matches when one of its A/AAAA records is the source (an FQDN entry) or the
/// source's PTR name is the name or ends with "." + name (a domain entry). The lookups run concurrently, cached and
/// shared per name and address (<see cref="AclDnsCache"/>); a check that took over
/// <see cref="InboundFederationOptions.SlowCheckThreshold"/> raises <see cref="ParleyEvents.Federation.AclCheckSlow"/>.
/// </summary>
public sealed class IncomingAcl(AclDnsCache dns, SourceEventThrottle throttle, InboundFederationOptions options, TimeProvider time)
{
    public ValueTask<bool> CoversAsync(IReadOnlyList<AclEntry> acl, IPAddress source)
    {
        source = source.IsIPv4MappedToIPv6 ? source.MapToIPv4() : source;
        List<string>? names = null;
        foreach (var entry in acl)
        {
            var address = entry.Address.Trim();
            if (string.Equals(address, AclEntry.All, StringComparison.OrdinalIgnoreCase))
            {
                return ValueTask.FromResult(true);
            }

            if (IPAddress.TryParse(address, out var ip))
            {
                if (ip.Equals(source))
                {
                    return ValueTask.FromResult(true);
                }
            }
            else if (address.Contains('/', StringComparison.Ordinal))
            {
                if (IPNetwork.TryParse(address, out var network) && network.Contains(source))
                {
                    return ValueTask.FromResult(true);
                }
            }
            else if (address.Length > 0)
            {
                (names ??= []).Add(address.TrimEnd('.').ToLowerInvariant());
            }
        }

        return names is null ? ValueTask.FromResult(false) : new ValueTask<bool>(MatchesNameAsync(names, source));
    }

    private async Task<bool> MatchesNameAsync(List<string> names, IPAddress source)
    {
        var started = time.GetTimestamp();
        try
        {
            // Every lookup starts before the first wait: a check costs one DNS timeout at most, not one per entry.
            var reverse = dns.NameOfAsync(source);
            var forward = names.Select(dns.AddressesOfAsync).ToArray();
            if (await reverse.ConfigureAwait(false) is { } ptr
                && names.Any(name => ptr == name || ptr.EndsWith("." + name, StringComparison.Ordinal)))
            {
                return true;
            }

            foreach (var addresses in forward)
            {
                if ((await addresses.ConfigureAwait(false)).Any(a => (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).Equals(source)))
                {
                    return true;
                }
            }

            return false;
        }
        finally
        {
            var took = time.GetElapsedTime(started);
            if (took >= options.SlowCheckThreshold)
            {
                throttle.Raise(source, ParleyEvents.Federation.AclCheckSlow, source, (long)took.TotalMilliseconds);
            }
        }
    }
}
