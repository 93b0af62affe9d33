using System.CommandLine;
using System.Globalization;
using Parley.Server.Management.Documents;

namespace Parley.Cli.Commands;

/// <summary><c>parley federation route add|remove|list</c>: static routes to the peer (seed 003 ch.5 §4).</summary>
internal static class FederationRouteCommands
{
    public static Command Create(CliContext context, CommonOptions common)
    {
        var route = new Command("route",
            "Static routes: where requests for the peer's users go. The most specific pattern wins; among its routes the lowest priority whose next hop is up.");
        route.Subcommands.Add(Add(context, common));
        route.Subcommands.Add(Remove(context, common));
        route.Subcommands.Add(FederationCommands.List(context, common, "static routes (by pattern, then priority)", DocumentNames.StaticRoutes,
            (output, configuration) => FederationTables.Routes(output, configuration.StaticRoutes)));
        return route;
    }

    private static Command Add(CliContext context, CommonOptions common)
    {
        var (pattern, nextHop, port) = Identity();
        var transport = new Option<string>("--transport") { Description = "tls (default) or tcp.", HelpName = "tls|tcp", DefaultValueFactory = _ => "tls" };
        var priority = new Option<int>("--priority") { Description = "1 (default) for the primary; 2, 3… for backups, used only while every lower number is down.", HelpName = "N", DefaultValueFactory = _ => 1 };
        var type = new Option<string>("--type") { Description = "domain (default): the pattern matches the Request-URI host; user: its user part.", HelpName = "domain|user", DefaultValueFactory = _ => "domain" };
        var flavour = new Option<string>("--flavour") { Description = "lync (default): session-mode IM (Lync, OCS); generic: page-mode MESSAGE.", HelpName = "lync|generic", DefaultValueFactory = _ => "lync" };
        var description = new Option<string?>("--description") { Description = "Free text, e.g. the peer server's name.", HelpName = "TEXT" };
        var command = new Command("add", "Add a static route. Several routes may share a pattern with different priorities.")
        {
            pattern, nextHop, port, transport, priority, type, flavour, description,
        };
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, () =>
        {
            // Parse the choices before opening the store, so a typo changes nothing.
            var routeType = FederationArguments.Choice<StaticRouteType>("--type", result.GetValue(type)!);
            var route = new StaticRoute(result.GetValue(pattern)!, result.GetValue(nextHop)!, result.GetValue(port), result.GetValue(transport)!, result.GetValue(description))
            {
                Priority = result.GetValue(priority),
                RouteType = routeType,
                Flavour = FederationArguments.Choice<PeerFlavour>("--flavour", result.GetValue(flavour)!),
            };
            return FederationCommands.Change(context, common, result, $"static route {Describe(route)} added",
                c => c with { StaticRoutes = [.. c.StaticRoutes, route] }, cancellationToken);
        }));
        return command;
    }

    private static Command Remove(CliContext context, CommonOptions common)
    {
        var (pattern, nextHop, port) = Identity();
        var command = new Command("remove", "Remove a static route, named by its pattern (in any accepted form), next hop and port. Refused while a SIP federation domain needs it.")
        {
            pattern, nextHop, port,
        };
        command.SetAction((result, cancellationToken) =>
        {
            var given = result.GetValue(pattern)!;
            var hop = ConfigurationNormalizer.Address(result.GetValue(nextHop)!);
            var number = result.GetValue(port);
            var what = $"{given} → {hop}:{number.ToString(CultureInfo.InvariantCulture)}";
            return FederationCommands.Change(context, common, result, $"static route {what} removed", c =>
            {
                var kept = c.StaticRoutes.Where(r => !(r.NextHop == hop && r.Port == number && StaticRoutePattern.Normalize(given, r.RouteType, out _) == r.Pattern)).ToArray();
                return kept.Length < c.StaticRoutes.Count
                    ? c with { StaticRoutes = kept }
                    : throw new UsageException($"there is no static route {what}. Fix: check the pattern, next hop and port with `parley federation route list`.");
            }, cancellationToken);
        });
        return command;
    }

    /// <summary>The three options that name a route (a new instance each time: options are symbols of one command).</summary>
    private static (Option<string> Pattern, Option<string> NextHop, Option<int> Port) Identity() =>
    (
        new Option<string>("--pattern") { Description = "example.com, *.example.com, com.example.* or .com.example.* (stored reversed); .com.example.host for one host; for --type user a user or prefix*.", HelpName = "PATTERN", Required = true },
        new Option<string>("--next-hop") { Description = "The peer server's FQDN or IP address (not a load balancer).", HelpName = "HOST", Required = true },
        new Option<int>("--port") { Description = "The next hop's port: 5061 for TLS, 5060 for TCP.", HelpName = "N", Required = true }
    );

    private static string Describe(StaticRoute route)
    {
        var pattern = ConfigurationNormalizer.RoutePattern(route.Pattern, route.RouteType);
        return $"{pattern} → {route.NextHop}:{route.Port.ToString(CultureInfo.InvariantCulture)} priority {route.Priority.ToString(CultureInfo.InvariantCulture)}";
    }
}
