using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Server.Diagnostics;
using Parley.Server.Federation.Inbound;
using Parley.Server.Management.Documents;
using Parley.Server.Security;
using Parley.Server.Sip;
using Parley.Server.Sip.Core;
using Parley.Server.Storage;
using Parley.Server.Tests.Support;
using Parley.Sip.Transactions;
using Parley.Sip.Transport;

namespace Parley.Server.Tests.Federation.Inbound;

/// <summary>The node's peer-auth listener follows tlsListeners while running: bound, moved, closed, and a taken port reported.</summary>
public sealed class PeerAuthListenerTests : IAsyncLifetime
{
    private const string ThisNode = "parley.example.com";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _temp = new();
    private readonly RecordingEventLog _events = new();
    private readonly FixedDeploymentSettings _settings = new(new DeploymentConfiguration());
    private readonly SipStack _stack = new();
    private readonly PeerCertificates _certificates = new("listener-tests");
    private SipTransportHost _host = null!;
    private TransactionLayer _transactions = null!;
    private PeerAuthListener _listener = null!;

    public Task InitializeAsync()
    {
        _host = new SipTransportHost(new SipTransportHostOptions { Tcp = new IPEndPoint(IPAddress.Loopback, 0) }, TimeProvider.System, NullLogger<SipTransportHost>.Instance);
        _transactions = new TransactionLayer(_host, new NoRequests(), SipTimers.Default, TimeProvider.System, NullLogger<TransactionLayer>.Instance);
        _host.Start(_transactions);
        _stack.Attach(_host, _transactions);
        var store = new ParleyStoreOptions { DataDirectory = _temp.Path, Events = new EventLogOptions { NodeName = ThisNode } };
        var throttle = new SourceEventThrottle(_events, new SipServerOptions(), TimeProvider.System);
        var policy = new PeerCertificatePolicy(new PeerTrustAnchors(new SipServerOptions(), store, _events), _settings, throttle, TimeProvider.System, NullLogger<PeerCertificatePolicy>.Instance);
        var node = new ServerTlsContext();
        node.Use(new NodeCertificate(_certificates.Issue(ThisNode), [], NodeCertificateOrigin.Configured, "node.pem", null));
        var tls = new PeerTlsOptions(policy, node, _settings);
        _listener = new PeerAuthListener(_settings, _stack, tls, store, _events, NullLogger<PeerAuthListener>.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _listener.DisposeAsync();
        await _host.DisposeAsync();
        _transactions.Dispose();
        _certificates.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task The_listener_named_for_this_node_is_bound_at_start_moved_and_closed_with_the_configuration()
    {
        var first = FreePort();
        await ConfigureAsync(new TlsListener("other.example.com", FreePort(), true), new TlsListener(ThisNode.ToUpperInvariant(), first, true), new TlsListener(ThisNode, FreePort(), false));
        await _listener.StartAsync(IPAddress.Loopback, CancellationToken.None);
        Assert.Equal(first, _host.PeerTlsEndPoint?.Port);

        var second = FreePort();
        await ConfigureAsync(new TlsListener(ThisNode, second, true));
        await Eventually(() => _host.PeerTlsEndPoint?.Port == second);
        await Assert.ThrowsAnyAsync<SocketException>(() => ConnectAsync(first));
        await ConnectAsync(second);

        await ConfigureAsync();
        await Eventually(() => _host.PeerTlsEndPoint is null);
        await Eventually(() => _events.Raised.Any(e => e.Definition == ParleyEvents.Federation.PeerListenerStopped));
        Assert.Equal(2, _events.Raised.Count(e => e.Definition == ParleyEvents.Federation.PeerListenerStarted));
    }

    [Fact]
    public async Task No_mutual_tls_entry_for_this_node_means_no_listener()
    {
        await ConfigureAsync(new TlsListener("other.example.com", FreePort(), true), new TlsListener(ThisNode, FreePort(), false));

        await _listener.StartAsync(IPAddress.Loopback, CancellationToken.None);

        Assert.Null(_host.PeerTlsEndPoint);
        Assert.Empty(_events.Raised);
    }

    [Fact]
    public async Task Without_a_tls_listener_entry_the_topologys_sip_peer_port_of_this_node_is_bound_as_the_routing_node_expects()
    {
        var port = FreePort();
        _settings.Configuration = _settings.Configuration with
        {
            Topology = new Topology
            {
                Nodes =
                [
                    new TopologyNode { Fqdn = "other.example.com", Ip = "127.0.0.9", Pool = "pool.example.com", Listeners = new NodeListeners { SipPeerTls = FreePort() } },
                    new TopologyNode { Fqdn = ThisNode, Ip = "127.0.0.1", Pool = "pool.example.com", Listeners = new NodeListeners { SipPeerTls = port } },
                ],
            },
        };
        await _settings.RefreshAsync(CancellationToken.None);

        await _listener.StartAsync(IPAddress.Loopback, CancellationToken.None);

        Assert.Equal(port, _host.PeerTlsEndPoint?.Port);
        Assert.Equal(port, PeerAuthListener.PortFor(_settings.Configuration, ThisNode));
    }

    [Fact]
    public async Task A_taken_port_is_reported_and_bound_once_the_configuration_names_a_free_one()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        await ConfigureAsync(new TlsListener(ThisNode, ((IPEndPoint)taken.LocalEndpoint).Port, true));

        await _listener.StartAsync(IPAddress.Loopback, CancellationToken.None);

        Assert.Null(_host.PeerTlsEndPoint);
        Assert.Contains(_events.Raised, e => e.Definition == ParleyEvents.Federation.PeerListenerFailed);
        var free = FreePort();
        await ConfigureAsync(new TlsListener(ThisNode, free, true));
        await Eventually(() => _host.PeerTlsEndPoint?.Port == free);
    }

    private Task ConfigureAsync(params TlsListener[] listeners)
    {
        _settings.Configuration = _settings.Configuration with { TlsListeners = listeners };
        return _settings.RefreshAsync(CancellationToken.None); // raises Changed, as a new revision does
    }

    private static async Task ConnectAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold in time");
            await Task.Delay(20);
        }
    }

    private sealed class NoRequests : ITransactionUser
    {
        public ValueTask OnRequestAsync(ServerTransaction transaction, CancellationToken ct) => ValueTask.CompletedTask;

        public ValueTask OnStrayAckAsync(Parley.Sip.Messages.SipRequest ack, SipSource source, CancellationToken ct) => ValueTask.CompletedTask;

        public ValueTask<CancelHandling> OnCancelAsync(ServerTransaction cancelled, CancellationToken ct) => ValueTask.FromResult(CancelHandling.AnswerRequestTerminated);
    }
}
