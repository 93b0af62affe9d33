using System.Globalization;
using Parley.Cli.Output;
using Parley.Server.Management.Documents;

namespace Parley.Cli.Commands;

/// <summary>The federation tables shared by <c>federation show</c> and the list commands.</summary>
internal static class FederationTables
{
    /// <summary>Routes as stored (by pattern, then priority); a pattern is written once, on its primary's row.</summary>
    public static void Routes(TextWriter output, IReadOnlyList<StaticRoute> routes)
    {
        var rows = routes.Select((route, i) =>
        {
            var first = i == 0 || routes[i - 1].Pattern != route.Pattern || routes[i - 1].RouteType != route.RouteType;
            return new[]
            {
                first ? route.Pattern : "",
                first ? StaticRoutePattern.Describe(route.Pattern, route.RouteType) : "",
                route.Priority.ToString(CultureInfo.InvariantCulture),
                $"{route.NextHop}:{route.Port.ToString(CultureInfo.InvariantCulture)}",
                route.Transport,
                FederationCommands.Name(route.RouteType),
                FederationCommands.Name(route.Flavour),
                route.Description ?? "",
            };
        });
        TableWriter.Write(output, ["PATTERN", "MATCHES", "PRIORITY", "NEXT HOP", "TRANSPORT", "TYPE", "FLAVOUR", "DESCRIPTION"], rows);
    }

    public static void Listeners(TextWriter output, IReadOnlyList<TlsListener> listeners)
        => TableWriter.Write(output, ["NODE", "PORT", "AUTH", "DESCRIPTION"], listeners.Select(l => new[]
        {
            l.Node, l.Port.ToString(CultureInfo.InvariantCulture), l.MutualTls ? "peer (mutual TLS)" : "server", l.Description ?? "",
        }));
}
