using System.CommandLine;
using Parley.Server.Configuration;

namespace Parley.Cli.Commands;

/// <summary>
/// <c>parley replication move-master --to FQDN</c> (docs/design/cms.md "Moving the master"): one CMS change on the
/// current master that gives the cms role to another topology node. The running master pushes it to every node; the
/// target takes over the store from its replica and replicates with its own key; the old master's file transfer
/// agent stops once every node holds that revision.
/// </summary>
internal static class ReplicationMoveMasterCommand
{
    public static Command Create(CliContext context, CommonOptions common)
    {
        var target = new Option<string>("--to") { Description = "The node (FQDN, in the topology) that becomes the CMS master.", HelpName = "FQDN", Required = true };
        var command = new Command("move-master", "Move the CMS master role to another node of the topology (run on the current master while it runs).")
        {
            target,
        };
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async () =>
        {
            var to = result.GetValue(target)!.Trim().ToLowerInvariant();
            await using var store = await context.OpenStoreAsync(context.DataDirectory(result.GetValue(common.Data)), create: false, cancellationToken);
            if (!store.Cms.IsMaster)
            {
                return CommandRunner.Fail(context, $"this node is not the CMS master; run move-master on the master, {store.Cms.MasterFqdn}.", ExitCodes.Refused);
            }

            var (_, current) = await store.Cms.GetAsync(cancellationToken);
            var nodes = current.Topology.Nodes;
            var node = nodes.FirstOrDefault(n => string.Equals(n.Fqdn, to, StringComparison.OrdinalIgnoreCase))
                ?? throw new UsageException($"--to: {to} is not a node of the topology. Fix: add it first (`parley topology node add --fqdn {to} …`); nodes: {string.Join(", ", nodes.Select(n => n.Fqdn))}.");
            if (node.Roles.HasFlag(NodeRole.Cms))
            {
                throw new UsageException($"--to: {to} already has the cms role.");
            }

            if (node.Listeners.ReplicaAgent == 0)
            {
                throw new UsageException($"--to: {to} has no replica agent port in the topology, so it would never receive the revision that makes it master. Fix: give it one (listeners.replicaAgent).");
            }

            var old = nodes.FirstOrDefault(n => n.Roles.HasFlag(NodeRole.Cms))?.Fqdn ?? "this node";
            var revision = await store.Cms.ChangeAsync(
                configuration => configuration with
                {
                    Topology = configuration.Topology with
                    {
                        Nodes = [.. configuration.Topology.Nodes.Select(n => string.Equals(n.Fqdn, to, StringComparison.OrdinalIgnoreCase)
                            ? n with { Roles = n.Roles | NodeRole.Cms }
                            : n with { Roles = (n.Roles & ~NodeRole.Cms) == NodeRole.None ? NodeRole.Frontend : n.Roles & ~NodeRole.Cms })],
                    },
                },
                context.Actor, $"CMS master moved from {old} to {to}", cancellationToken);
            context.Output.WriteLine($"Revision {revision} gives the cms role to {to}. The running master delivers it to every node; {to} then takes over (event 1030) and this node's file transfer agent stops (event 1029).");
            context.Output.WriteLine($"Next: set \"cms\": {{ \"master\": \"{to}\" }} in every node's parley.json (remove it on {to}) before their next restart; make changes on {to} from now on.");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
