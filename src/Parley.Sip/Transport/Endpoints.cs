using System.Net;

namespace Parley.Sip.Transport;

/// <summary>Endpoint spelling shared by the connection table and Via stamping.</summary>
internal static class Endpoints
{
    /// <summary>Dual-mode sockets report IPv4 peers as ::ffff:a.b.c.d; SIP and the connection table use plain IPv4.</summary>
    public static IPEndPoint Normalize(IPEndPoint endPoint) => endPoint.Address.IsIPv4MappedToIPv6
        ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port)
        : endPoint;

    public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
