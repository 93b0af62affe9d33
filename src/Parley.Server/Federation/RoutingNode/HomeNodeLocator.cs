using System.Net;
using Parley.Server.Federation.Inbound;
using Parley.Server.Management.Documents;
using Parley.Server.Storage;
using Parley.Sip.Transport;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Federation.RoutingNode;

/// <summary>
/// Where a user's requests go from the routing node (docs/design/federation.md, "Routing node"): the user's home pool
/// by topology homing (explicit user, then domain, then the default pool), its first node by FQDN, reached on its
/// peer-auth TLS listener when it has one (tlsListeners, else listeners.sipPeerTls), else on its SIP TCP port.
/// </summary>
public sealed class HomeNodeLocator(ParleyStoreOptions store)
{
    /// <summary>This node's FQDN (the node name of its events; ParleyNode sets it from bootstrap <c>fqdn</c>).</summary>
    public string NodeFqdn => store.Events.NodeName;

    /// <summary>Federation is on and <c>federation.routingNode</c> names this node or its pool.</summary>
    public bool IsRoutingNode(DeploymentConfiguration configuration)
    {
        if (!configuration.Federation.Enabled || configuration.Federation.RoutingNode is not { } routing)
        {
            return false;
        }

        return Same(routing, NodeFqdn) || configuration.Topology.Nodes.Any(n => Same(n.Fqdn, NodeFqdn) && Same(n.Pool, routing));
    }

    /// <summary>The node <paramref name="user"/> is homed on, when that is another node of the topology; null when here or unknown.</summary>
    public SipDestination? HomeOf(Jid user, DeploymentConfiguration configuration)
    {
        var homing = configuration.Topology.Homing;
        var bare = user.Bare.ToString();
        var pool = homing.Users.FirstOrDefault(u => Same(u.Key, bare)).Value
            ?? homing.Domains.FirstOrDefault(d => Same(d.Key, user.Domain)).Value
            ?? homing.DefaultPool;
        var node = pool is null ? null : configuration.Topology.Nodes.Where(n => Same(n.Pool, pool)).OrderBy(n => n.Fqdn, StringComparer.Ordinal).FirstOrDefault();
        if (node is null || Same(node.Fqdn, NodeFqdn) || !IPAddress.TryParse(node.Ip, out var address))
        {
            return null;
        }

        var peerTls = PeerAuthListener.PortFor(configuration, node.Fqdn);
        if (peerTls > 0)
        {
            return new SipDestination(SipTransportKind.Tls, new IPEndPoint(address, peerTls), node.Fqdn);
        }

        return node.Listeners.Sip > 0 ? new SipDestination(SipTransportKind.Tcp, new IPEndPoint(address, node.Listeners.Sip), node.Fqdn) : null;
    }

    /// <summary>The source is a node of the topology (a front end sending in-dialog requests back through the routing node).</summary>
    public static bool IsTopologyNode(DeploymentConfiguration configuration, IPAddress source)
        => configuration.Topology.Nodes.Any(n => IPAddress.TryParse(n.Ip, out var ip) && ip.Equals(source));

    private static bool Same(string a, string b) => string.Equals(a.TrimEnd('.'), b.TrimEnd('.'), StringComparison.OrdinalIgnoreCase);
}
