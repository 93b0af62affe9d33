using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Parley.Cli.Output;
using Parley.Server.Management.Documents;

namespace Parley.Cli.Commands;

/// <summary>
/// <c>parley federation …</c>: partitioned intradomain federation with a peer SIP server (seed 003). Every change
/// goes through the CMS store like <c>parley config set</c>: the whole configuration is validated (errors name the
/// field and the fix), recorded as a revision, replicated and applied by the nodes without a restart.
/// </summary>
internal static class FederationCommands
{
    public static Command Create(CliContext context, CommonOptions common)
    {
        var federation = new Command("federation",
            "Federation with a peer SIP server hosting the same domains (Lync, OCS, Cisco IM&P, Kamailio…): options, static routes, incoming ACL, TLS listeners and peer subjects, SIP federation domains. Changes are validated and made on the CMS master only.");
        federation.Subcommands.Add(Show(context, common));
        federation.Subcommands.Add(Set(context, common));
        federation.Subcommands.Add(FederationRouteCommands.Create(context, common));
        federation.Subcommands.Add(FederationListCommands.Create(context, common, FederationListCommands.Acl));
        federation.Subcommands.Add(FederationTlsListenerCommands.Create(context, common));
        federation.Subcommands.Add(FederationListCommands.Create(context, common, FederationListCommands.PeerSubjects));
        federation.Subcommands.Add(FederationListCommands.Create(context, common, FederationListCommands.Domains));
        federation.Subcommands.Add(FederationPeerAddressCommands.Create(context, common));
        return federation;
    }

    /// <summary>Applies <paramref name="edit"/> through the CMS store and reports the revision.</summary>
    public static Task<int> Change(CliContext context, CommonOptions common, ParseResult result, string description,
        Func<DeploymentConfiguration, DeploymentConfiguration> edit, CancellationToken cancellationToken)
        => CommandRunner.RunAsync(context, async () =>
        {
            await using var store = await context.OpenStoreAsync(context.DataDirectory(result.GetValue(common.Data)), create: true, cancellationToken);
            var revision = await store.Cms.ChangeAsync(edit, context.Actor, description, cancellationToken);
            context.Output.WriteLine($"Federation: {description} (revision {revision.ToString(CultureInfo.InvariantCulture)}).");
            return ExitCodes.Ok;
        });

    /// <summary>Reads the configuration and writes it with <paramref name="write"/>.</summary>
    public static Task<int> Read(CliContext context, CommonOptions common, ParseResult result, Action<long, DeploymentConfiguration> write,
        CancellationToken cancellationToken)
        => CommandRunner.RunAsync(context, async () =>
        {
            await using var store = await context.OpenStoreAsync(context.DataDirectory(result.GetValue(common.Data)), create: false, cancellationToken);
            var (revision, configuration) = await store.Cms.GetAsync(cancellationToken);
            write(revision, configuration);
            return ExitCodes.Ok;
        });

    /// <summary>A list command: the document as a table, or as its JSON with --json (as `parley config show NAME` prints it).</summary>
    public static Command List(CliContext context, CommonOptions common, string what, string document, Action<TextWriter, DeploymentConfiguration> table)
    {
        var command = new Command("list", $"List {what}.") { common.Json };
        command.SetAction((result, cancellationToken) => Read(context, common, result, (_, configuration) =>
        {
            if (result.GetValue(common.Json))
            {
                context.Output.WriteLine(DocumentJson.Serialize(configuration, document, indented: true));
            }
            else
            {
                table(context.Output, configuration);
            }
        }, cancellationToken));
        return command;
    }

    private static Command Show(CliContext context, CommonOptions common)
    {
        var command = new Command("show", "Show the federation options, static routes (by pattern, then priority), incoming ACL, TLS listeners, TLS peer subjects and SIP federation domains.")
        {
            common.Json,
        };
        command.SetAction((result, cancellationToken) => Read(context, common, result, (revision, configuration) =>
        {
            var output = context.Output;
            if (result.GetValue(common.Json))
            {
                JsonOutput.Write(output, new
                {
                    revision,
                    federation = Element(configuration, DocumentNames.Federation),
                    staticRoutes = Element(configuration, DocumentNames.StaticRoutes),
                    incomingAcl = Element(configuration, DocumentNames.IncomingAcl),
                    tlsListeners = Element(configuration, DocumentNames.TlsListeners),
                    tlsPeerSubjects = Element(configuration, DocumentNames.TlsPeerSubjects),
                    sipFederationDomains = Element(configuration, DocumentNames.SipFederationDomains),
                });
                return;
            }

            var options = configuration.Federation;
            output.WriteLine($"Federation at configuration revision {revision.ToString(CultureInfo.InvariantCulture)}: {(options.Enabled ? "enabled" : "disabled")}, "
                             + $"{Name(options.RoutingMode)} routing mode, routing node {options.RoutingNode ?? "(none)"}");
            Section(output, "Static routes", configuration.StaticRoutes.Count, () => FederationTables.Routes(output, configuration.StaticRoutes));
            Section(output, "Incoming ACL", configuration.IncomingAcl.Count, () => FederationListCommands.Acl.Table(output, configuration));
            Section(output, "TLS listeners", configuration.TlsListeners.Count, () => FederationTables.Listeners(output, configuration.TlsListeners));
            Section(output, "TLS peer subjects", configuration.TlsPeerSubjects.Count, () => FederationListCommands.PeerSubjects.Table(output, configuration));
            Section(output, "SIP federation domains", configuration.SipFederationDomains.Count, () => FederationListCommands.Domains.Table(output, configuration));
        }, cancellationToken));
        return command;
    }

    private static Command Set(CliContext context, CommonOptions common)
    {
        var enabled = new Option<string?>("--enabled") { Description = "Turn federation on or off (off: nothing below has any effect).", HelpName = "true|false" };
        var mode = new Option<string?>("--routing-mode") { Description = "basic: every non-local user of a hosted domain is the peer's; advanced: only users in the peer-address directory.", HelpName = "basic|advanced" };
        var node = new Option<string?>("--routing-node") { Description = "The node or pool FQDN the peer's static routes point at.", HelpName = "FQDN" };
        var noNode = new Option<bool>("--no-routing-node") { Description = "Clear the routing node." };
        var command = new Command("set", "Change the federation options; options not given keep their value.") { enabled, mode, node, noNode };
        command.SetAction((result, cancellationToken) =>
        {
            var enabledText = result.GetValue(enabled);
            var modeText = result.GetValue(mode);
            var nodeText = result.GetValue(node);
            var clearNode = result.GetValue(noNode);
            return CommandRunner.RunAsync(context, () =>
            {
                if (enabledText is null && modeText is null && nodeText is null && !clearNode)
                {
                    throw new UsageException("nothing to change. Fix: give at least one of --enabled, --routing-mode, --routing-node, --no-routing-node.");
                }

                if (nodeText is not null && clearNode)
                {
                    throw new UsageException("--routing-node and --no-routing-node contradict each other. Fix: give one of them.");
                }

                // Parse everything before opening the store, so a typo changes nothing.
                var on = enabledText is null ? (bool?)null : Arguments.OnOff("--enabled", enabledText);
                var routingMode = modeText is null ? (FederationRoutingMode?)null : FederationArguments.Choice<FederationRoutingMode>("--routing-mode", modeText);
                var changes = new List<string>();
                if (on is { } value)
                {
                    changes.Add(value ? "enabled" : "disabled");
                }

                if (routingMode is { } m)
                {
                    changes.Add($"routing mode {Name(m)}");
                }

                if (nodeText is not null || clearNode)
                {
                    changes.Add(nodeText is null ? "routing node cleared" : $"routing node {nodeText}");
                }

                return Change(context, common, result, string.Join(", ", changes), c => c with
                {
                    Federation = c.Federation with
                    {
                        Enabled = on ?? c.Federation.Enabled,
                        RoutingMode = routingMode ?? c.Federation.RoutingMode,
                        RoutingNode = clearNode ? null : nodeText ?? c.Federation.RoutingNode,
                    },
                }, cancellationToken);
            });
        });
        return command;
    }

    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum
        => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    private static JsonElement Element(DeploymentConfiguration configuration, string document)
        => JsonDocument.Parse(DocumentJson.Serialize(configuration, document)).RootElement;

    private static void Section(TextWriter output, string title, int count, Action table)
    {
        output.WriteLine();
        output.WriteLine($"{title}:");
        if (count == 0)
        {
            output.WriteLine("  (none)");
        }
        else
        {
            table();
        }
    }
}
