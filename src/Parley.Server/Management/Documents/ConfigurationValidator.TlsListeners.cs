namespace Parley.Server.Management.Documents;

/// <summary>
/// TLS listeners of the nodes (seed 003 ch.6 §6.1): one entry per node and port, at most one peer-auth (mutual TLS)
/// listener per node, and no port another listener of the node (or of a node sharing its address) binds. The
/// topology's own field for the same kind of listener (<c>sipPeerTls</c> for peer auth, <c>sipTls</c> for server
/// auth) is the same listener, not a collision.
/// </summary>
public static partial class ConfigurationValidator
{
    private static void ValidateTlsListeners(IReadOnlyList<TlsListener> listeners, Topology topology, ValidationErrors errors)
    {
        var seen = new Dictionary<(string, int), int>();
        var peerAuth = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < listeners.Count; i++)
        {
            var listener = listeners[i];
            var field = $"{DocumentNames.TlsListeners}[{i}]";
            var node = ConfigurationNormalizer.Name(listener.Node);
            var nodeIndex = IndexOfNode(topology, node);
            if (nodeIndex < 0)
            {
                errors.Add($"{field}.node", $"node '{listener.Node}' is not in {DocumentNames.Topology}.nodes", "add the node to the topology first (`parley topology node add`), or fix the name");
            }

            if (CheckPort(listener.Port, zeroAllowed: false) is { } problem)
            {
                errors.Add($"{field}.port", problem, $"use 1–{MaxPort} (5061 for peer auth by convention)");
            }
            else if (!seen.TryAdd((node, listener.Port), i))
            {
                errors.Add($"{field}.port", $"node {node} already has a TLS listener on port {listener.Port} ({DocumentNames.TlsListeners}[{seen[(node, listener.Port)]}])", "keep one entry per node and port");
            }
            else if (nodeIndex >= 0 && TopologyListenerOnPort(topology, nodeIndex, listener) is { } used)
            {
                errors.Add($"{field}.port", $"port {listener.Port} is already used by {used}",
                    "choose a port no other listener of the node binds (5061 for peer auth by convention), or change that listener in the topology");
            }

            if (listener.MutualTls && !peerAuth.TryAdd(node, i))
            {
                errors.Add($"{field}.mutualTls", $"node {node} already has a peer-auth (mutual TLS) listener ({DocumentNames.TlsListeners}[{peerAuth[node]}], port {listeners[peerAuth[node]].Port})",
                    "keep one peer-auth listener per node: remove one, or make this one server auth");
            }
        }
    }

    private static int IndexOfNode(Topology topology, string fqdn)
    {
        for (var i = 0; i < topology.Nodes.Count; i++)
        {
            if (ConfigurationNormalizer.Name(topology.Nodes[i].Fqdn) == fqdn)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The field path of a topology listener that binds the TLS listener's port on its node's address, or null.</summary>
    private static string? TopologyListenerOnPort(Topology topology, int nodeIndex, TlsListener listener)
    {
        var sameKind = listener.MutualTls ? "sipPeerTls" : "sipTls";
        var address = ConfigurationNormalizer.Address(topology.Nodes[nodeIndex].Ip);
        for (var i = 0; i < topology.Nodes.Count; i++)
        {
            var other = topology.Nodes[i];
            if (i != nodeIndex && ConfigurationNormalizer.Address(other.Ip) != address)
            {
                continue;
            }

            foreach (var (name, port) in Listeners)
            {
                if (port(other.Listeners) == listener.Port && !(i == nodeIndex && name == sameKind))
                {
                    return $"{DocumentNames.Topology}.nodes[{i}].listeners.{name} (node {ConfigurationNormalizer.Name(other.Fqdn)})";
                }
            }
        }

        return null;
    }
}
