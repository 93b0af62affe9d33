using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Parley.Server.Diagnostics;
using Parley.Server.Management;
using Parley.Server.Management.Documents;
using Parley.Server.Sip.Core;
using Parley.Server.Storage;

namespace Parley.Server.Federation.Inbound;

/// <summary>
/// Keeps this node's peer-auth TLS listener as <c>tlsListeners</c> says: bound on the SIP bind address and the port of
/// the <c>mutualTls</c> entry naming this node's FQDN, at start and whenever the configuration changes (moved to a new
/// port, closed when the entry goes). A port that cannot be bound raises
/// <see cref="ParleyEvents.Federation.PeerListenerFailed"/> and is tried again at the next change.
/// </summary>
public sealed class PeerAuthListener(
    IDeploymentSettings settings, SipStack stack, PeerTlsOptions tls, ParleyStoreOptions store, IEventLog events, ILogger<PeerAuthListener> logger)
    : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _chain = new();
    private readonly CancellationTokenSource _stopping = new();
    private IPAddress _bindAddress = IPAddress.Any;
    private int _boundPort;
    private Task _applying = Task.CompletedTask;
    private bool _started;

    /// <summary>This node's FQDN: the node name its events carry (ParleyNode sets it from bootstrap <c>fqdn</c>).</summary>
    public string NodeFqdn => store.Events.NodeName;

    /// <summary>Binds the listener if the configuration names one, and follows configuration changes from now on.</summary>
    public async Task StartAsync(IPAddress bindAddress, CancellationToken cancellationToken)
    {
        _bindAddress = bindAddress;
        _started = true;
        settings.Changed += OnChanged;
        await ApplyAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_started || _stopping.IsCancellationRequested)
        {
            return;
        }

        settings.Changed -= OnChanged;
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _applying.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping while a change was being applied; the transport closes the listener.
        }
    }

    /// <summary>
    /// The peer-auth port of a node: its mutualTls entry in tlsListeners, else the topology's listeners.sipPeerTls of
    /// the node (<c>topology node add --sip-peer-port</c>); 0 when neither names one. The routing node connects to the
    /// home node by the same rule, so both always agree.
    /// </summary>
    public static int PortFor(DeploymentConfiguration configuration, string nodeFqdn)
    {
        var listed = configuration.TlsListeners.Where(l => l.MutualTls && SameNode(l.Node, nodeFqdn)).Select(l => l.Port).DefaultIfEmpty(0).Min();
        return listed > 0 ? listed : configuration.Topology.Nodes.FirstOrDefault(n => SameNode(n.Fqdn, nodeFqdn))?.Listeners.SipPeerTls ?? 0;
    }

    private static bool SameNode(string a, string b) => string.Equals(a.TrimEnd('.'), b.TrimEnd('.'), StringComparison.OrdinalIgnoreCase);

    private void OnChanged(DeploymentSnapshot snapshot)
    {
        lock (_chain)
        {
            _applying = ApplyAfterAsync(_applying);
        }
    }

    private async Task ApplyAfterAsync(Task previous)
    {
        // ApplyAsync reports its own failures; a cancelled one (node stopping) must not stop the ones after it.
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await ApplyAsync(_stopping.Token).ConfigureAwait(false);
    }

    private async Task ApplyAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // The newest configuration, read inside the gate: changes that raced each other end in the last one.
            var port = PortFor(settings.Current.Configuration, NodeFqdn);
            if (port == _boundPort)
            {
                return;
            }

            var transport = stack.Transport;
            if (port == 0)
            {
                var closed = transport.PeerTlsEndPoint;
                await transport.StopPeerTlsAsync().ConfigureAwait(false);
                _boundPort = 0;
                events.Raise(ParleyEvents.Federation.PeerListenerStopped, closed);
                return;
            }

            var endPoint = new IPEndPoint(_bindAddress, port);
            try
            {
                var bound = await transport.StartPeerTlsAsync(endPoint, tls.ForPeerClient, cancellationToken).ConfigureAwait(false);
                _boundPort = port;
                events.Raise(ParleyEvents.Federation.PeerListenerStarted, bound);
            }
            catch (Exception ex) when (ex is SocketException or InvalidOperationException)
            {
                _boundPort = 0;
                InboundLog.PeerListenerFailed(logger, endPoint.ToString(), ex);
                events.Raise(ParleyEvents.Federation.PeerListenerFailed, endPoint, ex.Message);
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
