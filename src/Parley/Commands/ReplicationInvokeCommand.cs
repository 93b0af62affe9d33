using System.CommandLine;
using Parley.Server.Management.Replication.Status;

namespace Parley.Cli.Commands;

/// <summary><c>parley replication invoke</c>: Invoke-CsManagementStoreReplication — the running master resets the backoff and resends in full.</summary>
internal static class ReplicationInvokeCommand
{
    public static Command Create(CliContext context, CommonOptions common)
    {
        var replica = new Option<string?>("--replica") { Description = "Only this node (its FQDN); default every node.", HelpName = "FQDN" };
        var command = new Command("invoke", "Force a full resend of the latest snapshot (run on the CMS master; the running node picks it up within a second).")
        {
            replica,
        };
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async () =>
        {
            await using var store = await context.OpenStoreAsync(context.DataDirectory(result.GetValue(common.Data)), create: false, cancellationToken);
            if (!store.Cms.IsMaster)
            {
                return CommandRunner.Fail(context, $"this node is not the CMS master; run `parley replication invoke` on the master, {store.Cms.MasterFqdn}.", ExitCodes.Refused);
            }

            var statuses = new ReplicationStatusStore(store.Database);
            var known = await statuses.ListAsync(await store.Cms.GetRevisionAsync(cancellationToken), cancellationToken);

            var only = result.GetValue(replica);
            if (only is not null && known.Count > 0 && !known.Any(r => !r.Deleted && string.Equals(r.Fqdn, only, StringComparison.OrdinalIgnoreCase)))
            {
                throw new UsageException($"--replica: {only} is not a node the master replicates to. Nodes: {string.Join(", ", known.Where(r => !r.Deleted).Select(r => r.Fqdn))}.");
            }

            var id = await statuses.RequestReplicationAsync(only?.ToLowerInvariant(), context.Actor, context.Time.GetUtcNow(), cancellationToken);
            context.Output.WriteLine($"Replication requested for {only ?? "every node"} (request {id}); check with `parley replication status` in a few seconds.");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
