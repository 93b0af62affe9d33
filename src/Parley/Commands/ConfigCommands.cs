using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Parley.Cli.Output;
using Parley.Server.Management.Documents;

namespace Parley.Cli.Commands;

/// <summary><c>parley config show|set|history</c>: the CMS documents as JSON, replaced whole and validated.</summary>
internal static class ConfigCommands
{
    public static Command Create(CliContext context, CommonOptions common)
    {
        var config = new Command("config",
            $"The deployment configuration in the CMS store, as documents: {string.Join(", ", DocumentNames.All)}. Changes are validated and made on the CMS master only.");
        config.Subcommands.Add(Show(context, common));
        config.Subcommands.Add(Set(context, common));
        config.Subcommands.Add(SettingsCommands.History(context, common));
        return config;
    }

    private static Command Show(CliContext context, CommonOptions common)
    {
        var name = new Argument<string?>("NAME") { Description = $"One document: {string.Join(", ", DocumentNames.All)}. Default: a summary of all.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("show", "Show one document as JSON, or a summary of all (with --json: every document).") { name, common.Json };
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async () =>
        {
            var document = result.GetValue(name) is { } given ? DocumentName(given) : null;
            await using var store = await context.OpenStoreAsync(context.DataDirectory(result.GetValue(common.Data)), create: false, cancellationToken);
            var (revision, configuration) = await store.Cms.GetAsync(cancellationToken);
            if (document is not null)
            {
                context.Output.WriteLine(DocumentJson.Serialize(configuration, document, indented: true));
            }
            else if (result.GetValue(common.Json))
            {
                var documents = DocumentNames.All.ToDictionary(n => n, n => JsonDocument.Parse(DocumentJson.Serialize(configuration, n)).RootElement);
                JsonOutput.Write(context.Output, new { revision, master = store.Cms.MasterFqdn, documents });
            }
            else
            {
                context.Output.WriteLine($"Configuration revision {revision}{(store.Cms.IsMaster ? " (this node is the CMS master)" : $" (read-only replica; the CMS master is {store.Cms.MasterFqdn})")}");
                TableWriter.Write(context.Output, ["DOCUMENT", "CONTENT"], DocumentNames.All.Select(n => new[] { n, Summary(configuration, n) }));
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Set(CliContext context, CommonOptions common)
    {
        var name = new Argument<string>("NAME") { Description = $"The document to replace: {string.Join(", ", DocumentNames.All)}." };
        var file = new Argument<string>("FILE") { Description = "A JSON file with the whole document (as `parley config show NAME` prints it); - reads standard input." };
        var command = new Command("set", "Replace one document. The whole configuration is validated first; an error names the field and nothing changes.") { name, file };
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async () =>
        {
            var document = DocumentName(result.GetValue(name)!);
            var path = result.GetValue(file)!;
            var json = path == "-" ? await context.Input.ReadToEndAsync(cancellationToken) : ReadFile(context, path);

            // Parse before opening the store: a syntax error changes nothing and creates nothing.
            DocumentJson.Deserialize(document, json);
            await using var store = await context.OpenStoreAsync(context.DataDirectory(result.GetValue(common.Data)), create: true, cancellationToken);
            var before = (await store.Cms.GetAsync(cancellationToken)).Revision;
            var revision = await store.Cms.SetDocumentAsync(document, json, context.Actor, cancellationToken);
            context.Output.WriteLine(revision == before
                ? $"Document {document} unchanged (revision {revision})."
                : $"Document {document} replaced (revision {revision}).");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static string DocumentName(string given)
        => DocumentNames.All.FirstOrDefault(n => string.Equals(n, given, StringComparison.OrdinalIgnoreCase))
           ?? throw new UsageException($"'{given}' is not a configuration document. Fix: use one of {string.Join(", ", DocumentNames.All)}.");

    private static string ReadFile(CliContext context, string path)
    {
        var full = Path.GetFullPath(path, context.WorkingDirectory);
        try
        {
            return File.ReadAllText(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read {full}: {e.Message} Fix: give a readable JSON file, or - for standard input.");
        }
    }

    private static string Summary(DeploymentConfiguration configuration, string name) => name switch
    {
        DocumentNames.Topology => $"{configuration.Topology.Sites.Count} site(s), {configuration.Topology.Pools.Count} pool(s), {configuration.Topology.Nodes.Count} node(s)",
        DocumentNames.Domains => configuration.Domains.Count == 0 ? "(none)" : string.Join(", ", configuration.Domains),
        DocumentNames.Presence => $"max-contacts {Formats.Limit(configuration.Presence.MaxContactListSize)}, max-watchers {Formats.Limit(configuration.Presence.MaxWatchers)}, auto-approve {(configuration.Presence.AutoApproveLocalDomain ? "on" : "off")}, notify-coalescing {configuration.Presence.NotifyCoalescingMs} ms",
        DocumentNames.Federation => configuration.Federation.Enabled
            ? $"enabled, {configuration.Federation.RoutingMode.ToString().ToLowerInvariant()} routing via {configuration.Federation.RoutingNode ?? "(no routing node)"}"
            : "disabled",
        _ => $"{Count(configuration, name).ToString(CultureInfo.InvariantCulture)} entr{(Count(configuration, name) == 1 ? "y" : "ies")}",
    };

    private static int Count(DeploymentConfiguration configuration, string name) => name switch
    {
        DocumentNames.StaticRoutes => configuration.StaticRoutes.Count,
        DocumentNames.IncomingAcl => configuration.IncomingAcl.Count,
        DocumentNames.TlsListeners => configuration.TlsListeners.Count,
        DocumentNames.TlsPeerSubjects => configuration.TlsPeerSubjects.Count,
        DocumentNames.SipFederationDomains => configuration.SipFederationDomains.Count,
        _ => 0,
    };
}
