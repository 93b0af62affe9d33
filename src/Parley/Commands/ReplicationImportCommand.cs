using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Server.Management;
using Parley.Server.Management.Replication;
using Parley.Server.Management.Replication.Replica;
using Parley.Server.Management.Replication.Snapshots;
using Parley.Server.Security;

namespace Parley.Cli.Commands;

/// <summary>
/// <c>parley replication import --file SNAPSHOT</c>: Import-CsConfiguration -LocalStore — apply a snapshot file by hand
/// (an edge node with no network path to the master). The same checks and the same atomic commit as a push; a
/// running node picks the new revision up within its refresh interval.
/// </summary>
internal static class ReplicationImportCommand
{
    private const string Description =
        """
        Apply a configuration snapshot file to this node's replica store (<data>/xds-replica), as the CMS master's
        push would: it must be signed by a certificate the deployment CA issued to the master (--ca, default the
        node's private CA in <data>/certs/ca.pem), intact, and newer than the revision held. Use it for a node that
        cannot reach the master; copy <N>.snapshot from the master's file share (cms.fileShare) or from
        <data>/xds-replica/revisions on any node that holds it.
        A running node on this data directory switches to the new revision within a second, without restart.
        Exit codes: 0 applied (or already held), 1 rejected (reason on stderr; nothing applied), 2 bad arguments,
        3 replica store or CA not usable.
        """;

    public static Command Create(CliContext context, CommonOptions common)
    {
        var file = new Option<string>("--file") { Description = "The snapshot file (<N>.snapshot).", HelpName = "SNAPSHOT", Required = true };
        var ca = new Option<string?>("--ca") { Description = "PEM file of the deployment CA (default: <data>/certs/ca.pem).", HelpName = "FILE" };
        var master = new Option<string?>("--master")
        {
            Description = "FQDN of the CMS master, checked against the signer while the held revision names no cms node (default: any node the CA issued).",
            HelpName = "FQDN",
        };
        var command = new Command("import", Description) { file, ca, master, common.Json };
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, () => ImportAsync(context, result.GetValue(file)!,
            result.GetValue(common.Data), result.GetValue(ca), result.GetValue(master), result.GetValue(common.Json), cancellationToken)));
        return command;
    }

    private static async Task<int> ImportAsync(CliContext context, string file, string? data, string? caOption, string? master, bool json,
        CancellationToken cancellationToken)
    {
        var dataDirectory = context.DataDirectory(data);
        var snapshotPath = Path.GetFullPath(file, context.WorkingDirectory);
        var bytes = ReadSnapshot(snapshotPath);
        var caPath = caOption is null
            ? Path.Combine(dataDirectory, NodeCertificateProvisioner.DirectoryName, NodeCertificateProvisioner.CaCertificateFile)
            : Path.GetFullPath(caOption, context.WorkingDirectory);
        using var deploymentCa = LoadCa(caPath, caOption is null);
        var storeOptions = FaultStepFromEnvironment(dataDirectory);

        // The node's store carries the events (1034, 1040, 1041) and the domains table the users need.
        await using var store = await context.OpenStoreAsync(dataDirectory, create: true, cancellationToken);
        var options = new ReplicaAgentOptions
        {
            Store = storeOptions,
            Applier = new ReplicaApplierOptions { NodeFqdn = Environment.MachineName, BootstrapMaster = master },
            Settings = new DeploymentSettingsOptions { AnnounceRevisions = false },
        };
        await using var agent = new ReplicaAgent(options, new SnapshotVerifier(deploymentCa, context.Time), store.Events, context.Time,
            NullLoggerFactory.Instance, store.Database);
        await agent.Applier.InitializeAsync(cancellationToken);
        var before = agent.Applier.Status.AppliedRevision;
        ReplicaStatusReport report;
        try
        {
            report = await agent.Applier.ApplyAsync(bytes, $"import of {snapshotPath} by {Environment.UserName}", cancellationToken);
        }
        catch (SnapshotRejectedException e)
        {
            return CommandRunner.Fail(context, $"{snapshotPath} rejected ({e.Reason}): {e.Detail}. Nothing was applied; this node keeps revision {before}.", ExitCodes.Refused);
        }
        catch (ReplicaStoreAccessDeniedException e)
        {
            return CommandRunner.Fail(context,
                $"{e.Message} Fix: run as the account the node runs as, or `chown -R {e.Account} {agent.Store.Root}` and `chmod -R u+rwX {agent.Store.Root}`. Nothing was applied.",
                ExitCodes.Configuration);
        }

        var applied = report.AppliedRevision != before;
        if (json)
        {
            Output.JsonOutput.Write(context.Output, new { Applied = applied, report.AppliedRevision, report.ContentHash, report.LastUpdateCreation, Store = agent.Store.Root });
        }
        else if (applied)
        {
            context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Applied revision {report.AppliedRevision} (created {report.LastUpdateCreation:u}, {report.ContentHash}) to {agent.Store.Root}; previous revision {before}."));
        }
        else
        {
            context.Output.WriteLine($"Revision {report.AppliedRevision} is already held; nothing to apply.");
        }

        return ExitCodes.Ok;
    }

    private static byte[] ReadSnapshot(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new UsageException($"--file: {path} does not exist.");
            }

            if (info.Length > SnapshotFormat.MaxBytes)
            {
                throw new UsageException($"--file: {path} is {info.Length} bytes, over the {SnapshotFormat.MaxBytes}-byte snapshot limit: not a Parley snapshot.");
            }

            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--file: cannot read {path}: {e.Message}");
        }
    }

    private static X509Certificate2 LoadCa(string path, bool isDefault)
    {
        try
        {
            return X509Certificate2.CreateFromPem(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            var fix = isDefault
                ? "Fix: pass --ca FILE with the deployment CA certificate (the master's certs/ca.pem, or the file named by cms.caCertificate)."
                : "Fix: pass the PEM file of the deployment CA certificate.";
            throw new CertificateException(CertificateError.Unreadable, path, $"Cannot read the deployment CA {path}: {e.Message.TrimEnd('.')}. {fix}", e);
        }
    }

    private static ReplicaStoreOptions FaultStepFromEnvironment(string dataDirectory)
    {
        try
        {
            return ReplicaStoreOptions.For(dataDirectory, Environment.GetEnvironmentVariable(ReplicaStoreOptions.FaultEnvironmentVariable));
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
