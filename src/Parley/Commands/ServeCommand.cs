using System.CommandLine;
using System.Runtime.InteropServices;
using Parley.Server.Configuration;
using Parley.Server.Hosting;

namespace Parley.Cli.Commands;

internal static class ServeCommand
{
    public const string Name = "serve";

    public static Command Create(CliContext context, CommonOptions common)
    {
        var config = new Option<string?>("--config") { Description = "Bootstrap file (JSON) with fqdn, roles, dataDirectory, bindAddress, listeners, certificates, requireTls, initialDomain, sip (digestAlgorithms), cms (master, caCertificate, fileShare).", HelpName = "FILE" };
        var domain = new Option<string?>("--domain") { Description = "Domain created on first start (default example.com).", HelpName = "D" };
        var bind = new Option<string?>("--bind") { Description = "Bind every listener on this IP address (default all addresses).", HelpName = "IP" };
        var fqdn = new Option<string?>("--fqdn") { Description = "This node's DNS name (default: the host name if fully qualified, else parley.<domain>).", HelpName = "F" };
        var xmppPort = new Option<int?>("--xmpp-port") { Description = "XMPP client port (default 5222).", HelpName = "N" };
        var adminPort = new Option<int?>("--admin-port") { Description = "Admin API port (default 8443; 0 disables it).", HelpName = "N" };
        var sipPort = new Option<int?>("--sip-port") { Description = "SIP UDP and TCP port (default 5060; 0 disables it).", HelpName = "N" };
        var sipsPort = new Option<int?>("--sips-port") { Description = "SIP TLS port for clients, server-authenticated with the node certificate (default 5062; 0 disables it).", HelpName = "N" };
        var replicaPort = new Option<int?>("--replica-port") { Description = "Replica agent port, HTTPS with mutual TLS, where the CMS master pushes configuration (default 4443 when cms.master is set, else 0 = off).", HelpName = "N" };
        var command = new Command(Name, "Run a node (by default a single-node deployment with all roles) until SIGINT or SIGTERM.")
        {
            config, domain, bind, fqdn, xmppPort, adminPort, sipPort, sipsPort, replicaPort,
        };
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async () =>
        {
            var loader = new BootstrapConfigLoader(context.WorkingDirectory, System.Net.Dns.GetHostName());
            var options = loader.Load(result.GetValue(config), new BootstrapOverrides
            {
                DataDirectory = result.GetValue(common.Data),
                Domain = result.GetValue(domain),
                BindAddress = result.GetValue(bind),
                Fqdn = result.GetValue(fqdn),
                XmppPort = result.GetValue(xmppPort),
                AdminPort = result.GetValue(adminPort),
                SipPort = result.GetValue(sipPort),
                SipsPort = result.GetValue(sipsPort),
                ReplicaAgentPort = result.GetValue(replicaPort),
            });

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal => Stop(signal, stop));
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal => Stop(signal, stop));
            return await ParleyNode.RunAsync(options, context.Output, context.Error, stop.Token);
        }));
        return command;
    }

    private static void Stop(PosixSignalContext signal, CancellationTokenSource stop)
    {
        // Graceful: the node closes its streams and stores queued events before the process exits. A second signal
        // while it stops is not intercepted, so the process ends at once, as a second Ctrl+C is expected to do.
        if (stop.IsCancellationRequested)
        {
            return;
        }

        signal.Cancel = true;
        stop.Cancel();
    }
}
