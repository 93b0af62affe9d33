using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Parley.Server.Federation.RoutingNode;
using Parley.Server.Management;
using Parley.Server.Security;
using Parley.Sip.Transport;

namespace Parley.Server.Federation.Inbound;

/// <summary>
/// TLS options for federation peers: on the peer-auth listener the node certificate with a client certificate
/// required and checked by <see cref="PeerCertificatePolicy"/>; and, when Parley connects out over TLS to a static
/// route's next hop, the node certificate as client certificate with the peer's server certificate checked by the same
/// policy. Outbound TLS to anything else (a SIP client's contact) keeps the transport's default.
/// </summary>
public sealed class PeerTlsOptions(PeerCertificatePolicy policy, ServerTlsContext tls, IDeploymentSettings settings)
{
    /// <summary>Server options for one connection from <paramref name="remote"/> on the peer-auth listener.</summary>
    public SslServerAuthenticationOptions ForPeerClient(IPEndPoint remote) => new()
    {
        ServerCertificateContext = tls.Current,
        ClientCertificateRequired = true,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = policy.CallbackFor(remote, PeerCertificatePolicy.Client(remote)),
    };

    /// <summary>Client options for an outbound TLS connection (<see cref="SipTransportHostOptions.TlsClient"/>).</summary>
    public SslClientAuthenticationOptions ForDestination(SipDestination destination)
    {
        var target = destination.Host ?? destination.EndPoint.Address.ToString();
        if (!IsPeer(destination))
        {
            return new SslClientAuthenticationOptions { TargetHost = target };
        }

        return new SslClientAuthenticationOptions
        {
            TargetHost = target,
            ClientCertificateContext = tls.Current,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = policy.CallbackFor(destination.EndPoint, PeerCertificatePolicy.Server(destination.EndPoint, destination.Host)),
        };
    }

    /// <summary>
    /// The destination is the next hop of a static route (by name or address), or a node of the topology by FQDN (the
    /// routing node forwarding to a front end's peer-auth listener) or by address (a front end sending in a dialog the
    /// routing node record-routed), while federation is enabled.
    /// </summary>
    private bool IsPeer(SipDestination destination)
    {
        var configuration = settings.Current.Configuration;
        if (!configuration.Federation.Enabled)
        {
            return false;
        }

        foreach (var route in configuration.StaticRoutes)
        {
            var hop = route.NextHop.Trim();
            if ((destination.Host is { } host && string.Equals(host.TrimEnd('.'), hop.TrimEnd('.'), StringComparison.OrdinalIgnoreCase))
                || (IPAddress.TryParse(hop, out var address) && address.Equals(destination.EndPoint.Address)))
            {
                return true;
            }
        }

        // A node by address too: a home node sends in-dialog requests to the routing node's Record-Route entry, an IP.
        return (destination.Host is { } name && configuration.Topology.Nodes.Any(n => string.Equals(n.Fqdn, name, StringComparison.OrdinalIgnoreCase)))
               || HomeNodeLocator.IsTopologyNode(configuration, destination.EndPoint.Address);
    }
}
