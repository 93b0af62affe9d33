using System.Net;
using System.Net.Sockets;

namespace Parley.Server.Federation.Inbound;

/// <summary>The DNS lookups the incoming ACL needs; behind an interface so tests can make them slow or failing.</summary>
public interface IAclDns
{
    /// <summary>The A and AAAA records of <paramref name="name"/>; throws when the name does not resolve.</summary>
    Task<IPAddress[]> AddressesOfAsync(string name, CancellationToken cancellationToken);

    /// <summary>The reverse DNS (PTR) name of <paramref name="address"/>; throws when it has none.</summary>
    Task<string> NameOfAsync(IPAddress address, CancellationToken cancellationToken);
}

/// <summary>The system resolver (getaddrinfo / getnameinfo, as configured in /etc/resolv.conf and /etc/hosts).</summary>
public sealed class SystemAclDns : IAclDns
{
    public Task<IPAddress[]> AddressesOfAsync(string name, CancellationToken cancellationToken)
        => Dns.GetHostAddressesAsync(name, cancellationToken);

    public async Task<string> NameOfAsync(IPAddress address, CancellationToken cancellationToken)
    {
        var entry = await Dns.GetHostEntryAsync(address).WaitAsync(cancellationToken).ConfigureAwait(false);
        return string.IsNullOrEmpty(entry.HostName) ? throw new SocketException((int)SocketError.HostNotFound) : entry.HostName;
    }
}
