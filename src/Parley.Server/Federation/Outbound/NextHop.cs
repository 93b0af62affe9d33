using Parley.Server.Management.Documents;
using Parley.Sip.Messages;
using Parley.Sip.Transport;

namespace Parley.Server.Federation.Outbound;

/// <summary>Where a static route sends requests: its next hop, port and transport (several routes may share one).</summary>
public readonly record struct NextHop(string Host, int Port, SipTransportKind Transport)
{
    public static NextHop Of(StaticRoute route) => new(
        route.NextHop.Trim().ToLowerInvariant(),
        route.Port,
        string.Equals(route.Transport, "tcp", StringComparison.OrdinalIgnoreCase) ? SipTransportKind.Tcp : SipTransportKind.Tls);

    /// <summary>The URI resolved to reach it (and the target of OPTIONS probes).</summary>
    public SipUri ToUri()
    {
        var uri = new SipUri("sip", null, Host, Port);
        uri.Parameters.Set("transport", Transport == SipTransportKind.Tcp ? "tcp" : "tls");
        return uri;
    }

    public override string ToString() => $"{Host}:{Port};transport={(Transport == SipTransportKind.Tcp ? "tcp" : "tls")}";
}
