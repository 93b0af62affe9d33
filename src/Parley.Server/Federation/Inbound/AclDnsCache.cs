using System.Net;

namespace Parley.Server.Federation.Inbound;

/// <summary>The incoming ACL's forward and reverse lookups, cached and shared per name and per address (<see cref="CachedLookups{TKey, TValue}"/>).</summary>
public sealed class AclDnsCache
{
    private readonly CachedLookups<string, IPAddress[]> _forward;
    private readonly CachedLookups<IPAddress, string?> _reverse;

    public AclDnsCache(IAclDns dns, InboundFederationOptions options, TimeProvider time)
    {
        _forward = new CachedLookups<string, IPAddress[]>(dns.AddressesOfAsync, [], addresses => addresses.Length > 0, options, time);
        _reverse = new CachedLookups<IPAddress, string?>(async (address, ct) => await dns.NameOfAsync(address, ct).ConfigureAwait(false), null, name => name is not null, options, time);
    }

    /// <summary>The name's addresses (IPv4-mapped ones as IPv4); empty when it does not resolve in time.</summary>
    public Task<IPAddress[]> AddressesOfAsync(string name) => _forward.GetAsync(name);

    /// <summary>The address's PTR name, lower case without a trailing dot; null when it has none or it did not come in time.</summary>
    public async Task<string?> NameOfAsync(IPAddress address)
        => await _reverse.GetAsync(address).ConfigureAwait(false) is { } name ? name.TrimEnd('.').ToLowerInvariant() : null;
}
