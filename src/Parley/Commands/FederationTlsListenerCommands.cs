using System.CommandLine;
using System.Globalization;
using Parley.Server.Management.Documents;

namespace Parley.Cli.Commands;

/// <summary><c>parley federation tls-listener set|remove|list</c>: the nodes' peer-auth (mutual TLS) and server-auth SIP TLS listeners (seed 003 ch.6).</summary>
internal static class FederationTlsListenerCommands
{
    public static Command Create(CliContext context, CommonOptions common)
    {
        var listener = new Command("tls-listener",
            "SIP TLS listeners per node: peer auth (mutual TLS, 5061 by convention; the peer's static routes point at it) or server auth (clients, 5062). A node binds a new one without a restart.");
        listener.Subcommands.Add(Set(context, common));
        listener.Subcommands.Add(Remove(context, common));
        listener.Subcommands.Add(FederationCommands.List(context, common, "TLS listeners", DocumentNames.TlsListeners,
            (output, configuration) => FederationTables.Listeners(output, configuration.TlsListeners)));
        return listener;
    }

    private static Command Set(CliContext context, CommonOptions common)
    {
        var (node, port) = Identity();
        var peerAuth = new Option<bool>("--peer-auth") { Description = "Mutual TLS: the peer must present a certificate from the trusted peer CA with a listed subject CN." };
        var serverAuth = new Option<bool>("--server-auth") { Description = "Server authentication only (SIP clients)." };
        var description = new Option<string?>("--description") { Description = "Free text.", HelpName = "TEXT" };
        var command = new Command("set", "Add the listener of a node on a port, or change the one already there.") { node, port, peerAuth, serverAuth, description };
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, () =>
        {
            var mutual = result.GetValue(peerAuth);
            if (mutual == result.GetValue(serverAuth))
            {
                throw new UsageException("give exactly one of --peer-auth and --server-auth. Fix: --peer-auth for the federation peer's listener, --server-auth for clients.");
            }

            var fqdn = ConfigurationNormalizer.Name(result.GetValue(node)!);
            var number = result.GetValue(port);
            var entry = new TlsListener(fqdn, number, mutual, result.GetValue(description));
            return FederationCommands.Change(context, common, result, $"{(mutual ? "peer-auth" : "server-auth")} TLS listener {Name(fqdn, number)} set",
                c => c with { TlsListeners = [.. Without(c.TlsListeners, fqdn, number), entry] }, cancellationToken);
        }));
        return command;
    }

    private static Command Remove(CliContext context, CommonOptions common)
    {
        var (node, port) = Identity();
        var command = new Command("remove", "Remove the TLS listener of a node on a port; the node closes it.") { node, port };
        command.SetAction((result, cancellationToken) =>
        {
            var fqdn = ConfigurationNormalizer.Name(result.GetValue(node)!);
            var number = result.GetValue(port);
            return FederationCommands.Change(context, common, result, $"TLS listener {Name(fqdn, number)} removed", c =>
            {
                var kept = Without(c.TlsListeners, fqdn, number);
                return kept.Length < c.TlsListeners.Count
                    ? c with { TlsListeners = kept }
                    : throw new UsageException($"there is no TLS listener {Name(fqdn, number)}. Fix: check the node and port with `parley federation tls-listener list`.");
            }, cancellationToken);
        });
        return command;
    }

    private static TlsListener[] Without(IReadOnlyList<TlsListener> listeners, string fqdn, int port)
        => listeners.Where(l => !(ConfigurationNormalizer.Name(l.Node) == fqdn && l.Port == port)).ToArray();

    private static string Name(string fqdn, int port) => $"{fqdn}:{port.ToString(CultureInfo.InvariantCulture)}";

    private static (Option<string> Node, Option<int> Port) Identity() =>
    (
        new Option<string>("--node") { Description = "The node's FQDN, as in the topology.", HelpName = "FQDN", Required = true },
        new Option<int>("--port") { Description = "The listening port.", HelpName = "N", Required = true }
    );
}
