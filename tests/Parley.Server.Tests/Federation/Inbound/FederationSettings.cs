using System.Globalization;
using Parley.Server.Diagnostics;
using Parley.Server.Management.Documents;
using Parley.Server.Tests.Support;
using Parley.Server.Tests.Xmpp.Support;

namespace Parley.Server.Tests.Federation.Inbound;

/// <summary>Changes a running test node's federation documents through its CMS store and waits until the node applied them.</summary>
internal static class FederationSettings
{
    public static async Task ApplyAsync(ParleyTestNode node, bool enabled, params string[] incomingAcl)
    {
        var before = await node.Store.Cms.GetRevisionAsync(CancellationToken.None);
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var revision = await node.Store.Cms.ChangeAsync(
            configuration => configuration with
            {
                Federation = configuration.Federation with { Enabled = enabled },
                IncomingAcl = [.. incomingAcl.Select(address => new AclEntry(address))],
            },
            TestStore.Actor, "federation test settings", CancellationToken.None);
        if (revision == before)
        {
            return; // Nothing changed: the node already runs with these settings.
        }

        await node.WaitForReplicaRevisionAsync(revision, since);
    }
}
