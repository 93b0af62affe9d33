using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Server.Configuration;
using Parley.Server.Management.Documents;
using Parley.Server.Management.Replication.Replica;
using Parley.Server.Management.Replication.Snapshots;
using Parley.Server.Management.Replication.Status;
using Parley.Server.Management.Replication.Transfer;
using Parley.Server.Security;
using Parley.Server.Storage;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Management.Replication.Transfer;

/// <summary>A master (real store, in-process replica, file transfer agent) and replica nodes on 127.0.0.x, with short timings.</summary>
internal sealed class TransferRig : IAsyncDisposable
{
    public const string MasterFqdn = "cms1.test.example";

    public static readonly TransferOptions FastTimings = new()
    {
        InitialRetryDelay = TimeSpan.FromMilliseconds(100),
        MaxRetryDelay = TimeSpan.FromMilliseconds(400),
        StatusPollInterval = TimeSpan.FromMilliseconds(300),
        RequestPollInterval = TimeSpan.FromMilliseconds(100),
        ConnectTimeout = TimeSpan.FromSeconds(2),
        RequestTimeout = TimeSpan.FromSeconds(10),
    };

    private readonly TempDirectory _masterData = new();
    private readonly List<ReplicaNode> _replicas = [];
    private ParleyStore? _store;
    private ReplicaApplier? _masterApplier;

    public TestDeploymentCa Ca { get; } = new();

    public RecordingEventLog MasterEvents { get; } = new();

    public TestSnapshotSource? Source { get; private set; }

    public FileTransferAgent? Agent { get; private set; }

    public ReplicationStatusStore? Status { get; private set; }

    public ReplicaNode AddReplica(string fqdn, string address, System.Security.Cryptography.X509Certificates.X509Certificate2? presented = null, string expectedMaster = MasterFqdn)
    {
        var node = new ReplicaNode(Ca, fqdn, IPAddress.Parse(address), expectedMaster, presented);
        _replicas.Add(node);
        return node;
    }

    public DeploymentConfiguration Configuration(params string[] domains) => new()
    {
        Topology = new Topology
        {
            Sites = [new Site("hq")],
            Pools = [new Pool("pool.test.example", "hq")],
            Nodes =
            [
                new TopologyNode { Fqdn = MasterFqdn, Ip = "127.0.0.1", Pool = "pool.test.example", Roles = NodeRole.Cms | NodeRole.Frontend, Listeners = new NodeListeners { ReplicaAgent = 0 } },
                .. _replicas.Select(r => new TopologyNode { Fqdn = r.Fqdn, Ip = r.Address.ToString(), Pool = "pool.test.example", Listeners = new NodeListeners { ReplicaAgent = r.Port } }),
            ],
        },
        Domains = domains.Length == 0 ? ["example.com"] : domains,
    };

    public async Task StartMasterAsync(DeploymentConfiguration configuration)
    {
        var masterCertificate = Ca.IssueNode(MasterFqdn);
        Source = new TestSnapshotSource(masterCertificate, MasterFqdn);
        Source.Commit(configuration);
        _store = await TestStore.OpenAsync(_masterData.Path);
        Status = new ReplicationStatusStore(_store.Database);
        var verifier = new SnapshotVerifier(Ca.PublicCertificate, TimeProvider.System);
        _masterApplier = new ReplicaApplier(
            new ReplicaStore(new ReplicaStoreOptions { DataDirectory = _masterData.Path }, MasterEvents, NullLogger<ReplicaStore>.Instance), verifier,
            new ReplicaApplierOptions { NodeFqdn = MasterFqdn }, MasterEvents, TimeProvider.System, NullLogger<ReplicaApplier>.Instance);
        await _masterApplier.InitializeAsync(CancellationToken.None);
        var tls = new ServerTlsContext();
        tls.Use(new NodeCertificate(masterCertificate, [], NodeCertificateOrigin.Configured, "memory", null));
        Agent = new FileTransferAgent(MasterFqdn, Source, verifier, _masterApplier, tls, new DeploymentTrust([Ca.PublicCertificate], "test CA", TimeProvider.System),
            Status, MasterEvents, FastTimings, TimeProvider.System, NullLoggerFactory.Instance);
        Agent.Start();
    }

    /// <summary>Waits until every node the agent knows holds the latest revision; fails with the agent's view otherwise.</summary>
    public async Task WaitUpToDateAsync(TimeSpan within, params string[] fqdns)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            var latest = (await Source!.LatestAsync(CancellationToken.None)).Revision;
            var replicas = Agent!.Replicas;
            if (fqdns.All(f => replicas.Any(r => r.Fqdn == f && r.AppliedRevision == latest && r.UpToDate)))
            {
                return;
            }

            await Task.Delay(20);
        }

        Assert.Fail("not UpToDate in time: " + string.Join("; ", Agent!.Replicas.Select(r => $"{r.Fqdn} applied {r.AppliedRevision} failures {r.Failures} error {r.LastError}")));
    }

    public static async Task<T> EventuallyAsync<T>(Func<T?> probe, TimeSpan within, string what)
        where T : class
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (probe() is { } found)
            {
                return found;
            }

            await Task.Delay(20);
        }

        Assert.Fail($"{what} did not happen within {within.TotalSeconds:0.#} s");
        return null!;
    }

    public async ValueTask DisposeAsync()
    {
        if (Agent is not null)
        {
            await Agent.DisposeAsync();
        }

        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

        _masterApplier?.Dispose();
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        _masterData.Dispose();
        Ca.Dispose();
    }
}
