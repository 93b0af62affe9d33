using System.CommandLine;
using System.Globalization;
using Parley.Cli.Output;
using Parley.Server.Configuration;
using Parley.Server.Management.Documents;

namespace Parley.Cli.Commands;

/// <summary><c>parley topology …</c>: sites, pools and nodes of the published topology (the CMS pushes to every node listed).</summary>
internal static class TopologyCommands
{
    public static Command Create(CliContext context, CommonOptions common)
    {
        var topology = new Command("topology", "The published topology: sites, pools and their nodes. Changes are validated and made on the CMS master only.");
        topology.Subcommands.Add(Show(context, common));
        var site = new Command("site", "Sites (locations) that pools belong to.");
        site.Subcommands.Add(SiteAdd(context, common));
        site.Subcommands.Add(Remove(context, common, "site", "NAME", "A site with no pools left.", (t, name) => t with { Sites = Without(t.Sites, s => s.Name, name, "site") }));
        var pool = new Command("pool", "Pools: groups of nodes serving the same users, named by an FQDN.");
        pool.Subcommands.Add(PoolAdd(context, common));
        pool.Subcommands.Add(Remove(context, common, "pool", "FQDN", "A pool with no nodes left.", (t, name) => t with { Pools = Without(t.Pools, p => p.Fqdn, name, "pool") }));
        var node = new Command("node", "Nodes: the servers of the deployment; each gets every configuration snapshot.");
        node.Subcommands.Add(NodeAdd(context, common));
        node.Subcommands.Add(Remove(context, common, "node", "FQDN", "The node's FQDN.", (t, name) => t with { Nodes = Without(t.Nodes, n => n.Fqdn, name, "node") }));
        topology.Subcommands.Add(site);
        topology.Subcommands.Add(pool);
        topology.Subcommands.Add(node);
        return topology;
    }

    private static Command Show(CliContext context, CommonOptions common)
    {
        var command = new Command("show", "Show sites, pools, nodes and user homing.") { common.Json };
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async () =>
        {
            await using var store = await context.OpenStoreAsync(context.DataDirectory(result.GetValue(common.Data)), create: false, cancellationToken);
            var (revision, configuration) = await store.Cms.GetAsync(cancellationToken);
            var topology = configuration.Topology;
            if (result.GetValue(common.Json))
            {
                context.Output.WriteLine(DocumentJson.Serialize(configuration, DocumentNames.Topology, indented: true));
                return ExitCodes.Ok;
            }

            context.Output.WriteLine($"Topology at configuration revision {revision.ToString(CultureInfo.InvariantCulture)}");
            context.Output.WriteLine();
            TableWriter.Write(context.Output, ["SITE", "DESCRIPTION"], topology.Sites.Select(s => new[] { s.Name, s.Description ?? "" }));
            context.Output.WriteLine();
            TableWriter.Write(context.Output, ["POOL", "SITE", "NODES"],
                topology.Pools.Select(p => new[] { p.Fqdn, p.Site, topology.Nodes.Count(n => n.Pool == p.Fqdn).ToString(CultureInfo.InvariantCulture) }));
            context.Output.WriteLine();
            TableWriter.Write(context.Output, ["NODE", "IP", "POOL", "ROLES", "LISTENERS"],
                topology.Nodes.Select(n => new[] { n.Fqdn, n.Ip, n.Pool, Roles(n.Roles), Listeners(n.Listeners) }));
            context.Output.WriteLine();
            context.Output.WriteLine($"Users homed by default on: {topology.Homing.DefaultPool ?? "(not set)"}");
            foreach (var (domain, pool) in topology.Homing.Domains)
            {
                context.Output.WriteLine($"  domain {domain} → {pool}");
            }

            foreach (var (user, pool) in topology.Homing.Users)
            {
                context.Output.WriteLine($"  user {user} → {pool}");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command SiteAdd(CliContext context, CommonOptions common)
    {
        var name = new Argument<string>("NAME") { Description = "The site's name, e.g. hq." };
        var description = new Option<string?>("--description") { Description = "Free text, e.g. the address.", HelpName = "TEXT" };
        var command = new Command("add", "Add a site.") { name, description };
        command.SetAction((result, cancellationToken) => Change(context, common, result, cancellationToken, $"site {result.GetValue(name)} added",
            t => t with { Sites = [.. t.Sites, new Site(result.GetValue(name)!, result.GetValue(description))] }));
        return command;
    }

    private static Command PoolAdd(CliContext context, CommonOptions common)
    {
        var fqdn = new Argument<string>("FQDN") { Description = "The pool's FQDN, e.g. pool1.example.com." };
        var site = new Option<string>("--site") { Description = "The site the pool is in.", HelpName = "NAME", Required = true };
        var command = new Command("add", "Add a pool to a site.") { fqdn, site };
        command.SetAction((result, cancellationToken) => Change(context, common, result, cancellationToken, $"pool {result.GetValue(fqdn)} added",
            t => t with { Pools = [.. t.Pools, new Pool(result.GetValue(fqdn)!, result.GetValue(site)!)] }));
        return command;
    }

    private static Command NodeAdd(CliContext context, CommonOptions common)
    {
        var defaults = new NodeListeners();
        var fqdn = new Option<string>("--fqdn") { Description = "The node's FQDN; its certificate must name it.", HelpName = "FQDN", Required = true };
        var ip = new Option<string>("--ip") { Description = "The address other nodes and the CMS reach it on.", HelpName = "ADDRESS", Required = true };
        var pool = new Option<string>("--pool") { Description = "The pool it belongs to.", HelpName = "FQDN", Required = true };
        var roles = new Option<string>("--roles") { Description = "Comma-separated: frontend, routing, edge, cms (default frontend).", HelpName = "ROLES", DefaultValueFactory = _ => "frontend" };
        var xmpp = Port("--xmpp-port", "XMPP client port", defaults.Xmpp);
        var sip = Port("--sip-port", "SIP UDP and TCP port", defaults.Sip);
        var sips = Port("--sips-port", "SIP over TLS port", defaults.SipTls);
        var peer = Port("--sip-peer-port", "mutual-TLS SIP port for federation peers", defaults.SipPeerTls);
        var replica = Port("--replica-port", "replica agent port the CMS pushes snapshots to", defaults.ReplicaAgent);
        var admin = Port("--admin-port", "admin API port", defaults.Admin);
        var command = new Command("add", "Add a node to a pool. From the next revision the CMS pushes every snapshot to it.")
        {
            fqdn, ip, pool, roles, xmpp, sip, sips, peer, replica, admin,
        };
        command.SetAction((result, cancellationToken) =>
        {
            var name = result.GetValue(fqdn)!;
            return Change(context, common, result, cancellationToken, $"node {name} added", t =>
            {
                if (t.Nodes.Any(n => string.Equals(n.Fqdn, name, StringComparison.OrdinalIgnoreCase)))
                {
                    throw new UsageException($"node {name} is already in the topology. Fix: remove it first (`parley topology node remove {name}`) to change it, or use `parley config set topology FILE`.");
                }

                var node = new TopologyNode
                {
                    Fqdn = name,
                    Ip = result.GetValue(ip)!,
                    Pool = result.GetValue(pool)!,
                    Roles = ParseRoles(result.GetValue(roles)!),
                    Listeners = new NodeListeners
                    {
                        Xmpp = result.GetValue(xmpp),
                        Sip = result.GetValue(sip),
                        SipTls = result.GetValue(sips),
                        SipPeerTls = result.GetValue(peer),
                        ReplicaAgent = result.GetValue(replica),
                        Admin = result.GetValue(admin),
                    },
                };
                return t with { Nodes = [.. t.Nodes, node] };
            });
        });
        return command;
    }

    private static Command Remove(CliContext context, CommonOptions common, string kind, string argument, string description,
        Func<Topology, string, Topology> remove)
    {
        var name = new Argument<string>(argument) { Description = description };
        var command = new Command("remove", $"Remove a {kind}; refused (naming what still refers to it) if that would leave the topology invalid.") { name };
        command.SetAction((result, cancellationToken) => Change(context, common, result, cancellationToken, $"{kind} {result.GetValue(name)} removed",
            t => remove(t, result.GetValue(name)!)));
        return command;
    }

    private static Task<int> Change(CliContext context, CommonOptions common, ParseResult result, CancellationToken cancellationToken, string description,
        Func<Topology, Topology> edit)
        => CommandRunner.RunAsync(context, async () =>
        {
            await using var store = await context.OpenStoreAsync(context.DataDirectory(result.GetValue(common.Data)), create: true, cancellationToken);
            var revision = await store.Cms.ChangeAsync(c => c with { Topology = edit(c.Topology) }, context.Actor, description, cancellationToken);
            context.Output.WriteLine($"Topology: {description} (revision {revision.ToString(CultureInfo.InvariantCulture)}).");
            return ExitCodes.Ok;
        });

    private static T[] Without<T>(IReadOnlyList<T> items, Func<T, string> key, string name, string kind)
    {
        var kept = items.Where(item => !string.Equals(key(item), name.Trim(), StringComparison.OrdinalIgnoreCase)).ToArray();
        return kept.Length < items.Count
            ? kept
            : throw new UsageException($"there is no {kind} {name} in the topology. Fix: check the name with `parley topology show`.");
    }

    private static Option<int> Port(string name, string what, int defaultValue)
        => new(name) { Description = $"The {what} (0 = not listening; default {defaultValue}).", HelpName = "PORT", DefaultValueFactory = _ => defaultValue };

    private static NodeRole ParseRoles(string text)
    {
        var roles = NodeRole.None;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            roles |= Enum.TryParse<NodeRole>(part, ignoreCase: true, out var role) && !int.TryParse(part, out _) && role != NodeRole.None
                ? role
                : throw new UsageException($"--roles: '{part}' is not a role. Fix: give one or more of frontend, routing, edge, cms, separated by commas.");
        }

        return roles == NodeRole.None ? throw new UsageException("--roles: no role given. Fix: give one or more of frontend, routing, edge, cms.") : roles;
    }

    private static string Roles(NodeRole roles) => roles.ToString().ToLowerInvariant().Replace(" ", "", StringComparison.Ordinal);

    private static string Listeners(NodeListeners l)
        => string.Join(" ", new[] { ("xmpp", l.Xmpp), ("sip", l.Sip), ("sips", l.SipTls), ("peer", l.SipPeerTls), ("replica", l.ReplicaAgent), ("admin", l.Admin) }
            .Where(p => p.Item2 != 0).Select(p => $"{p.Item1}:{p.Item2.ToString(CultureInfo.InvariantCulture)}"));
}
