using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Server.Management.Replication;
using Parley.Server.Management.Replication.Replica;
using Parley.Server.Management.Replication.Snapshots;
using Parley.Server.Management.Replication.Transfer;
using Parley.Server.Security;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Management.Replication.Transfer;

/// <summary>A node's replica side for tests: real replica store and applier in a temp directory, and the real HTTPS listener.</summary>
internal sealed class ReplicaNode : IAsyncDisposable
{
    private readonly TempDirectory _data = new();
    private readonly NodeCertificate _certificate;
    private ReplicaAgentListener? _listener;

    public ReplicaNode(TestDeploymentCa ca, string fqdn, IPAddress address, string expectedMaster, X509Certificate2? presented = null)
    {
        Fqdn = fqdn;
        Address = address;
        Port = FreePort(address);
        Events = new RecordingEventLog();
        var store = new ReplicaStore(new ReplicaStoreOptions { DataDirectory = _data.Path }, Events, NullLogger<ReplicaStore>.Instance);
        Applier = new ReplicaApplier(store, new SnapshotVerifier(ca.PublicCertificate, TimeProvider.System),
            new ReplicaApplierOptions { NodeFqdn = fqdn, BootstrapMaster = expectedMaster }, Events, TimeProvider.System, NullLogger<ReplicaApplier>.Instance);
        Trust = new DeploymentTrust([ca.PublicCertificate], "test CA", TimeProvider.System);
        Locator = new CmsMasterLocator(fqdn, expectedMaster, () => Applier.Held?.Configuration.Topology);
        _certificate = new NodeCertificate(presented ?? ca.IssueNode(fqdn), [], NodeCertificateOrigin.Configured, "memory", null);
        Tls = new ServerTlsContext();
        Tls.Use(_certificate);
    }

    public string Fqdn { get; }

    public IPAddress Address { get; }

    public int Port { get; }

    public string DataDirectory => _data.Path;

    public RecordingEventLog Events { get; }

    public ReplicaApplier Applier { get; }

    public DeploymentTrust Trust { get; }

    public CmsMasterLocator Locator { get; }

    public ServerTlsContext Tls { get; }

    public async Task StartAsync()
    {
        await Applier.InitializeAsync(CancellationToken.None);
        _listener = new ReplicaAgentListener(Address, Port, Tls, Trust, Locator, Applier, Events, TimeProvider.System, NullLogger<ReplicaAgentListener>.Instance);
        await _listener.StartAsync(CancellationToken.None);
    }

    public async Task StopAsync()
    {
        if (_listener is not null)
        {
            await _listener.DisposeAsync();
            _listener = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Applier.Dispose();
        _data.Dispose();
    }

    private static int FreePort(IPAddress address)
    {
        using var listener = new System.Net.Sockets.TcpListener(address, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
