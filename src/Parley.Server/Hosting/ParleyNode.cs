using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parley.Server.Admin;
using Parley.Server.Configuration;
using Parley.Server.Diagnostics;
using Parley.Server.Directory;
using Parley.Server.Management;
using Parley.Server.Management.Cms;
using Parley.Server.Management.Replication.Transfer;
using Parley.Server.Security;
using Parley.Server.Sessions;
using Parley.Server.Sip;
using Parley.Server.Storage;
using Parley.Server.Xmpp;
using Parley.Server.Xmpp.C2s;
using Parley.Sip.Transport;

namespace Parley.Server.Hosting;

/// <summary>
/// Runs one node until cancelled: opens the store, makes sure the node has a certificate and its domain, starts the
/// listeners of its roles, and shuts them down in order. Returns the process exit code.
/// </summary>
public static class ParleyNode
{
    public const int ExitOk = 0;
    public const int ExitConfiguration = 3;
    public const int ExitStorage = 4;

    private static readonly TimeSpan ShutdownDeadline = TimeSpan.FromSeconds(5);

    public static Task<int> RunAsync(NodeOptions options, TextWriter output, CancellationToken cancellationToken)
        => RunAsync(options, output, output, cancellationToken);

    /// <summary>Runs the node; what it listens on goes to <paramref name="output"/>, why it cannot start to <paramref name="error"/>.</summary>
    public static async Task<int> RunAsync(NodeOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            DataDirectory.EnsureWritable(options.DataDirectory, options.Source);
        }
        catch (ConfigurationException ex)
        {
            await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ExitConfiguration;
        }

        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevelFromEnvironment()));
        services.AddParleyStore(options.DataDirectory, store => store with
        {
            Events = store.Events with { NodeName = options.Fqdn },
            Cms = options.CmsMaster is { } master ? CmsOptions.ReplicaOf(master) : CmsOptions.Master,
        });
        services.AddSingleton<NodeCertificateProvisioner>();
        services.AddParleyXmpp(options.Xmpp with { RequireTls = options.RequireTls });
        services.AddParleySip(options.Sip);

        // Every node reads its configuration from its replica; the master (the single-node default too) replicates to
        // itself in process and to the other nodes of its topology.
        services.AddParleyReplication(options, Environment.GetEnvironmentVariable);

        await using var provider = services.BuildServiceProvider();
        var events = provider.GetRequiredService<IEventLog>();
        try
        {
            await provider.GetRequiredService<ParleyStore>().StartAsync(cancellationToken).ConfigureAwait(false);
            // The local mirror of the hosted domains (on a replica: those of its last applied revision) names the certificate.
            var localSettings = provider.GetRequiredService<ParleyStore>().Settings;
            if (options.IsCmsMaster)
            {
                await EnsureInitialDomainAsync(options, provider.GetRequiredService<IUserDirectory>(), localSettings, cancellationToken).ConfigureAwait(false);
            }

            using var certificate = provider.GetRequiredService<NodeCertificateProvisioner>().Provision(options, [.. localSettings.Current.Domains]);
            provider.GetRequiredService<ServerTlsContext>().Use(certificate);
            var provisioner = provider.GetRequiredService<NodeCertificateProvisioner>();
            provider.GetRequiredService<NodeCertificateHolder>().Use(certificate,
                ReplicationIdentity.Resolve(options, certificate, () => provisioner.ProvisionGenerated(options.DataDirectory, options.Fqdn, [])));
            await using var replication = provider.GetRequiredService<ReplicationRuntime>();
            try
            {
                await replication.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                var endPoint = $"{options.BindAddress}:{options.ReplicaAgentPort}";
                events.Raise(ParleyEvents.Lifecycle.ListenerBindFailed, $"replica agent {endPoint}", ex.GetBaseException().Message);
                await error.WriteLineAsync($"Cannot listen for the replica agent on {endPoint}: {ex.GetBaseException().Message}. Fix: stop what uses the port, or choose another with --replica-port or listeners.replicaAgent in {options.Source} (and the node's listeners.replicaAgent in the topology).").ConfigureAwait(false);
                return ExitConfiguration;
            }

            return await ServeAsync(options, output, error, provider, certificate, replication, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException ex)
        {
            await error.WriteLineAsync($"Parley cannot use its store: {ex.Message}").ConfigureAwait(false);
            return ExitStorage;
        }
        catch (Exception ex) when (ex is ConfigurationException or CertificateException)
        {
            await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            events.Raise(ParleyEvents.Lifecycle.NodeStartFailed, options.Fqdn, ex.Message);
            return ExitConfiguration;
        }
    }

    private static async Task<int> ServeAsync(NodeOptions options, TextWriter output, TextWriter error, ServiceProvider provider, NodeCertificate certificate,
        ReplicationRuntime replication, CancellationToken cancellationToken)
    {
        var events = provider.GetRequiredService<IEventLog>();
        var listener = new C2sListener(provider.GetRequiredService<C2sServices>(), new IPEndPoint(options.BindAddress, options.XmppPort));
        try
        {
            listener.Start();
        }
        catch (SocketException ex)
        {
            var endPoint = $"{options.BindAddress}:{options.XmppPort}";
            events.Raise(ParleyEvents.Lifecycle.ListenerBindFailed, $"XMPP client-to-server {endPoint}", ex.Message);
            await error.WriteLineAsync(BindFailureMessage("XMPP clients", endPoint, "XMPP server", "--xmpp-port or listeners.xmpp", options, ex)).ConfigureAwait(false);
            return ExitConfiguration;
        }

        var sip = provider.GetRequiredService<SipNode>();
        try
        {
            await sip.StartAsync(options.BindAddress, null, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            var ports = string.Join(" or ", new[] { options.Sip.Port, options.Sip.TlsPort }.Where(port => port != 0));
            var endPoint = $"{options.BindAddress}:{ports}";
            events.Raise(ParleyEvents.Sip.ListenerFailed, $"SIP {endPoint}", ex.Message);
            await error.WriteLineAsync(BindFailureMessage("SIP", endPoint, "SIP server (Kamailio, Asterisk)", "--sip-port/--sips-port or listeners.sip/listeners.sipTls (0 disables)", options, ex)).ConfigureAwait(false);
            await listener.StopAsync(ShutdownDeadline).ConfigureAwait(false);
            return ExitConfiguration;
        }

        var settings = provider.GetRequiredService<IDeploymentSettings>();
        provider.GetRequiredService<AccountRevocation>();
        await using var admin = options.AdminPort == 0 ? null : new AdminApi(
            options,
            AdminToken.LoadOrCreate(options.DataDirectory),
            provider.GetRequiredService<ServerTlsContext>(),
            settings,
            provider.GetRequiredService<ParleyStore>().Cms,
            events,
            provider.GetRequiredService<SessionRegistry>(),
            () => listener.ConnectionCount);
        if (admin is not null)
        {
            try
            {
                await admin.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                var endPoint = $"{options.BindAddress}:{options.AdminPort}";
                events.Raise(ParleyEvents.Lifecycle.ListenerBindFailed, $"admin API {endPoint}", ex.GetBaseException().Message);
                await error.WriteLineAsync($"Cannot listen for the admin API on {endPoint}: {ex.GetBaseException().Message}. Fix: stop what uses the port, choose another with --admin-port or listeners.admin in {options.Source}, or disable the admin API with --admin-port 0.").ConfigureAwait(false);
                await sip.DisposeAsync().ConfigureAwait(false);
                await listener.StopAsync(ShutdownDeadline).ConfigureAwait(false);
                return ExitConfiguration;
            }
        }

        await output.WriteLineAsync($"Parley node {options.Fqdn} (roles: {options.Roles}) serving {string.Join(", ", settings.Current.Domains)}; data in {options.DataDirectory}").ConfigureAwait(false);
        await output.WriteLineAsync($"  XMPP client-to-server  tcp {listener.EndPoint} ({(options.RequireTls ? "STARTTLS required" : "STARTTLS optional")})").ConfigureAwait(false);
        await WriteSipListenersAsync(output, sip).ConfigureAwait(false);
        await output.WriteLineAsync($"  Certificate            {certificate.CertificatePath} ({certificate.Origin.ToString().ToLowerInvariant()}){(certificate.CaCertificatePath is { } ca ? $"; clients trust {ca}" : string.Empty)}").ConfigureAwait(false);
        if (replication.ListenerEndPoint is { } replicaEndPoint)
        {
            await output.WriteLineAsync($"  Replica agent          https://{replicaEndPoint}{ReplicaAgentProtocol.SnapshotPath} (mutual TLS; accepts the CMS master only)").ConfigureAwait(false);
        }

        if (replication.Agent is null)
        {
            await output.WriteLineAsync($"  Configuration          replica revision {settings.Current.Revision} from CMS master {options.CmsMaster}").ConfigureAwait(false);
        }

        if (admin?.EndPoint is { } adminEndPoint)
        {
            await output.WriteLineAsync($"  Admin API              https://{adminEndPoint}/api/v1/status (bearer token in {Path.Combine(options.DataDirectory, AdminToken.DirectoryName, AdminToken.FileName)})").ConfigureAwait(false);
        }

        var listening = $"xmpp {listener.EndPoint}"
            + (sip.EndPoint(SipTransportKind.Udp) is { } sipAt ? $", sip {sipAt}" : string.Empty)
            + (sip.EndPoint(SipTransportKind.Tls) is { } sipsAt ? $", sips {sipsAt}" : string.Empty)
            + (admin?.EndPoint is { } adminAt ? $", admin {adminAt}" : string.Empty)
            + (replication.ListenerEndPoint is { } replicaAt ? $", replica agent {replicaAt}" : string.Empty);
        events.Raise(ParleyEvents.Lifecycle.NodeStarted, options.Fqdn, options.Roles, listening);
        await output.WriteLineAsync("Parley is ready. Press Ctrl+C to stop.").ConfigureAwait(false);

        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await output.WriteLineAsync("Stopping: telling clients the server is shutting down...").ConfigureAwait(false);
        await sip.DisposeAsync().ConfigureAwait(false);
        await listener.StopAsync(ShutdownDeadline).ConfigureAwait(false);
        events.Raise(ParleyEvents.Lifecycle.NodeStopped, options.Fqdn, "stop requested (SIGINT/SIGTERM)");
        await events.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        await output.WriteLineAsync("Parley stopped.").ConfigureAwait(false);
        return ExitOk;
    }

    private static async Task WriteSipListenersAsync(TextWriter output, SipNode sip)
    {
        if (sip.EndPoint(SipTransportKind.Udp) is { } udp)
        {
            await output.WriteLineAsync($"  SIP                    udp+tcp {udp} (digest authentication)").ConfigureAwait(false);
        }

        if (sip.EndPoint(SipTransportKind.Tls) is { } tls)
        {
            await output.WriteLineAsync($"  SIP TLS                tls {tls} (server authentication with the node certificate)").ConfigureAwait(false);
        }
    }

    /// <summary>Why a listener could not bind, and the fix (another program on the port, an address not on this machine, privileges).</summary>
    private static string BindFailureMessage(string what, string endPoint, string otherServer, string portSetting, NodeOptions options, SocketException ex)
        => ex.SocketErrorCode switch
        {
            SocketError.AddressAlreadyInUse => $"Cannot listen for {what} on {endPoint}: the port is in use (another Parley or {otherServer}?). Fix: stop it, or choose another port with {portSetting} in {options.Source}.",
            SocketError.AddressNotAvailable => $"Cannot listen for {what} on {endPoint}: this machine has no such address. Fix: use an address of this machine with --bind or bindAddress in {options.Source}.",
            SocketError.AccessDenied => $"Cannot listen for {what} on {endPoint}: permission denied (ports below 1024 need privileges). Fix: use a port above 1024 or grant CAP_NET_BIND_SERVICE.",
            _ => $"Cannot listen for {what} on {endPoint}: {ex.Message}.",
        };

    /// <summary>The node's domain (--domain, initialDomain) is always hosted: added on first start or when it changes.</summary>
    private static async Task EnsureInitialDomainAsync(NodeOptions options, IUserDirectory directory, IDeploymentSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Current.HostsDomain(options.InitialDomain))
        {
            return;
        }

        await directory.AddDomainAsync(options.InitialDomain, $"node:{options.Fqdn}", cancellationToken).ConfigureAwait(false);
        await settings.RefreshAsync(cancellationToken).ConfigureAwait(false);
    }

    private static LogLevel LogLevelFromEnvironment()
        => Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("PARLEY_LOG_LEVEL"), ignoreCase: true, out var level) ? level : LogLevel.Warning;
}
