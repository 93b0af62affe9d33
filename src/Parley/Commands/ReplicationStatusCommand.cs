using System.CommandLine;
using System.Globalization;
using Parley.Cli.Output;
using Parley.Server.Management.Replication.Replica;
using Parley.Server.Management.Replication.Status;

namespace Parley.Cli.Commands;

/// <summary><c>parley replication status</c>: Get-CsManagementStoreReplicationStatus's columns, as a table or JSON.</summary>
internal static class ReplicationStatusCommand
{
    public static Command Create(CliContext context, CommonOptions common)
    {
        var replica = new Option<string?>("--replica") { Description = "Only this node (its FQDN).", HelpName = "FQDN" };
        var cms = new Option<bool>("--cms") { Description = "The store itself: active master, file transfer agents, active and deleted replicas." };
        var command = new Command("status", "Replication status: on the master each node's UpToDate, LastStatusReport, LastUpdateCreation and ProductVersion; on any other node its own replica and how stale it is.")
        {
            replica, cms, common.Json,
        };
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async () =>
        {
            await using var store = await context.OpenStoreAsync(context.DataDirectory(result.GetValue(common.Data)), create: false, cancellationToken);
            var view = await new ReplicationStatusReader(store, context.Time).ReadAsync(cancellationToken);
            var only = result.GetValue(replica);
            var replicas = only is null ? view.Replicas : view.Replicas.Where(r => string.Equals(r.Fqdn, only, StringComparison.OrdinalIgnoreCase)).ToArray();
            if (only is not null && replicas.Count == 0 && view.IsMaster)
            {
                throw new UsageException($"--replica: {only} is not a node the master replicates to. Nodes: {string.Join(", ", view.Replicas.Select(r => r.Fqdn))}.");
            }

            if (result.GetValue(common.Json))
            {
                if (result.GetValue(cms))
                {
                    JsonOutput.Write(context.Output, new { view.IsMaster, view.Cms });
                }
                else
                {
                    JsonOutput.Write(context.Output, new { view.IsMaster, Replicas = replicas, view.Local });
                }

                return ExitCodes.Ok;
            }

            if (result.GetValue(cms))
            {
                WriteCms(context.Output, view.Cms);
            }
            else if (view.IsMaster)
            {
                WriteReplicas(context.Output, replicas);
            }
            else
            {
                WriteLocal(context, view.Local);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static void WriteReplicas(TextWriter output, IReadOnlyList<ReplicaStatusRecord> replicas)
        => TableWriter.Write(output, ["FQDN", "UPTODATE", "APPLIED", "LATEST", "LASTSTATUSREPORT", "LASTUPDATECREATION", "PRODUCTVERSION", "FAILURES", "LASTERROR"],
            replicas.Select(r => new[]
            {
                r.Fqdn, r.UpToDate ? "True" : "False", Number(r.AppliedRevision), Number(r.LatestRevision), Time(r.LastStatusReport), Time(r.LastUpdateCreation),
                r.ProductVersion ?? "-", r.Failures.ToString(CultureInfo.InvariantCulture), r.LastError ?? "-",
            }));

    private static void WriteCms(TextWriter output, CmsView cms)
    {
        output.WriteLine($"ActiveMasterFqdn:        {cms.ActiveMaster ?? "(unknown)"}");
        output.WriteLine($"ActiveFileTransferAgents: {Join(cms.FileTransferAgents)}");
        output.WriteLine($"ActiveReplicas:          {Join(cms.ActiveReplicas)}");
        output.WriteLine($"DeletedReplicas:         {Join(cms.DeletedReplicas)}");
    }

    private static void WriteLocal(CliContext context, LocalReplicaStatus? local)
    {
        if (local is null)
        {
            context.Output.WriteLine("This node holds no replica yet: no snapshot has arrived from the CMS master (check its cms.master and that the master reaches listeners.replicaAgent).");
            return;
        }

        context.Output.WriteLine($"Replica store:        {local.StorePath}");
        context.Output.WriteLine($"Revision:             {Number(local.Revision)} (content {local.ContentHash ?? "-"})");
        context.Output.WriteLine($"Master:               {local.Master ?? "-"}");
        context.Output.WriteLine($"LastUpdateCreation:   {Time(local.LastUpdateCreation)}");
        context.Output.WriteLine($"Applied at:           {Time(local.AppliedAt)}");
        context.Output.WriteLine($"Last heard from master: {Staleness(local)}");
        if (local.LastError is not null)
        {
            context.Output.WriteLine($"Last error:           {local.LastError} ({Time(local.LastErrorAt)})");
        }
    }

    private static string Staleness(LocalReplicaStatus local)
        => local.LastMasterContact is not { } contact || local.Staleness is not { } age
            ? "never"
            : $"{Age(age)} ago ({Formats.Time(contact)})";

    private static string Age(TimeSpan age)
        => age.TotalSeconds < 90 ? $"{Math.Max(0, age.TotalSeconds):0} s"
            : age.TotalMinutes < 90 ? $"{age.TotalMinutes:0} min"
            : age.TotalHours < 48 ? $"{age.TotalHours:0.#} h"
            : $"{age.TotalDays:0.#} days";

    private static string Join(IReadOnlyList<string> names) => names.Count == 0 ? "-" : string.Join(", ", names);

    private static string Number(long value) => value < 0 ? "-" : value.ToString(CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset? time) => time is { } t ? Formats.Time(t) : "-";
}
