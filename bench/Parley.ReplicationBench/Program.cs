using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.ReplicationBench;
using Parley.Server.Configuration;
using Parley.Server.Diagnostics;
using Parley.Server.Management.Documents;
using Parley.Server.Management.Replication.Replica;
using Parley.Server.Management.Replication.Snapshots;
using Parley.Server.Management.Replication.Status;
using Parley.Server.Management.Replication.Transfer;
using Parley.Server.Security;
using Parley.Server.Storage;

// Time from a change on the CMS master to UpToDate on N replicas (docs/benchmarks.md, "CMS replication"). Every replica
// is a real replica agent (Kestrel HTTPS, mutual TLS, its own store on disk) on its own address 127.0.0.10+i; the
// master runs the real file transfer agent. Usage: parley-replication-bench [replicas=50] [changes=20]
var replicaCount = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50;
var changes = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
const string MasterFqdn = "cms.bench.example";

var root = Directory.CreateTempSubdirectory("parley-replication-bench-");
using var certificates = new BenchCertificates();
var time = TimeProvider.System;
var trust = new DeploymentTrust([certificates.Ca], "bench CA", time);
var verifier = new SnapshotVerifier(certificates.Ca, time);
var events = new EventCounter();
var replicas = new List<(ReplicaApplier Applier, ReplicaAgentListener Listener, TopologyNode Node)>();
try
{
    for (var i = 0; i < replicaCount; i++)
    {
        var fqdn = $"fe{i:D2}.bench.example";
        var address = IPAddress.Parse($"127.0.0.{10 + i}");
        var applier = new ReplicaApplier(
            new ReplicaStore(new ReplicaStoreOptions { DataDirectory = Path.Combine(root.FullName, fqdn) }, events, NullLogger<ReplicaStore>.Instance), verifier,
            new ReplicaApplierOptions { NodeFqdn = fqdn, BootstrapMaster = MasterFqdn }, events, time, NullLogger<ReplicaApplier>.Instance);
        await applier.InitializeAsync(CancellationToken.None);
        var tls = new ServerTlsContext();
        tls.Use(new NodeCertificate(certificates.Issue(fqdn), [], NodeCertificateOrigin.Configured, "memory", null));
        var port = FreePort(address);
        var listener = new ReplicaAgentListener(address, port, tls, trust, new CmsMasterLocator(fqdn, MasterFqdn, () => null), applier, events, time,
            NullLogger<ReplicaAgentListener>.Instance);
        await listener.StartAsync(CancellationToken.None);
        replicas.Add((applier, listener, new TopologyNode { Fqdn = fqdn, Ip = address.ToString(), Pool = "pool.bench.example", Listeners = new NodeListeners { ReplicaAgent = port } }));
    }

    var masterCertificate = certificates.Issue(MasterFqdn);
    var source = new BenchSnapshotSource(masterCertificate, MasterFqdn);
    var topology = new Topology
    {
        Sites = [new Site("bench")],
        Pools = [new Pool("pool.bench.example", "bench")],
        Nodes =
        [
            new TopologyNode { Fqdn = MasterFqdn, Ip = "127.0.0.1", Pool = "pool.bench.example", Roles = NodeRole.Cms | NodeRole.Frontend, Listeners = new NodeListeners { ReplicaAgent = 0 } },
            .. replicas.Select(r => r.Node),
        ],
    };
    DeploymentConfiguration Configuration(int change) => new() { Topology = topology, Domains = ["example.com", $"change{change}.example"] };

    await using var store = new ParleyStore(new ParleyStoreOptions { DataDirectory = Path.Combine(root.FullName, "master") }, time, NullLoggerFactory.Instance);
    await store.StartAsync(CancellationToken.None);
    var masterApplier = new ReplicaApplier(
        new ReplicaStore(new ReplicaStoreOptions { DataDirectory = Path.Combine(root.FullName, "master") }, events, NullLogger<ReplicaStore>.Instance), verifier,
        new ReplicaApplierOptions { NodeFqdn = MasterFqdn }, events, time, NullLogger<ReplicaApplier>.Instance);
    await masterApplier.InitializeAsync(CancellationToken.None);
    var masterTls = new ServerTlsContext();
    masterTls.Use(new NodeCertificate(masterCertificate, [], NodeCertificateOrigin.Configured, "memory", null));

    source.Commit(Configuration(0));
    await using var agent = new FileTransferAgent(MasterFqdn, source, verifier, masterApplier, masterTls, trust, new ReplicationStatusStore(store.Database), events,
        new TransferOptions(), time, NullLoggerFactory.Instance);
    var cold = Stopwatch.StartNew();
    agent.Start();
    await WaitUpToDateAsync(agent, 1, replicaCount + 1);
    Console.WriteLine($"first delivery (new TLS connections): {cold.Elapsed.TotalMilliseconds:0} ms to UpToDate on {replicaCount} replicas + the master");

    var samples = new List<double>();
    for (var change = 1; change <= changes; change++)
    {
        var stopwatch = Stopwatch.StartNew();
        var revision = source.Commit(Configuration(change));
        await WaitUpToDateAsync(agent, revision, replicaCount + 1);
        samples.Add(stopwatch.Elapsed.TotalMilliseconds);
    }

    samples.Sort();
    var snapshotBytes = (await source.LatestAsync(CancellationToken.None)).Bytes.Length;
    Console.WriteLine($"{changes} changes, {replicaCount} replicas (HTTPS mutual TLS, 127.0.0.10-{9 + replicaCount}), snapshot {snapshotBytes} bytes:");
    Console.WriteLine($"  change -> UpToDate on all: min {samples[0]:0} ms, median {samples[samples.Count / 2]:0} ms, p95 {samples[(int)(samples.Count * 0.95)]:0} ms, max {samples[^1]:0} ms");
    Console.WriteLine($"  events raised: {events.Count} (faults would show as 1015/1017/1034)");
    masterApplier.Dispose();
    return samples[^1] < 2000 ? 0 : 1;
}
finally
{
    foreach (var (applier, listener, _) in replicas)
    {
        await listener.DisposeAsync();
        applier.Dispose();
    }

    root.Delete(recursive: true);
}

static async Task WaitUpToDateAsync(FileTransferAgent agent, long revision, int nodes)
{
    var deadline = Stopwatch.StartNew();
    while (deadline.Elapsed < TimeSpan.FromSeconds(60))
    {
        var records = agent.Replicas;
        if (records.Count == nodes && records.All(r => r.AppliedRevision == revision))
        {
            return;
        }

        await Task.Delay(2);
    }

    throw new TimeoutException("not UpToDate within 60 s: " + string.Join("; ", agent.Replicas.Where(r => r.AppliedRevision != revision).Select(r => $"{r.Fqdn}: {r.LastError}")));
}

static int FreePort(IPAddress address)
{
    using var listener = new TcpListener(address, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

namespace Parley.ReplicationBench
{
    /// <summary>Counts events instead of storing them (the bench has no event store).</summary>
    internal sealed class EventCounter : IEventLog
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Raise(EventDefinition definition, params object?[] args)
        {
            Interlocked.Increment(ref _count);
            if (definition.Level >= EventLevel.Warning)
            {
                Console.Error.WriteLine($"event {definition.Id}: {string.Format(CultureInfo.InvariantCulture, definition.MessageTemplate, args)}");
            }
        }

        public Task<IReadOnlyList<EventRecord>> QueryAsync(int? id, DateTimeOffset? since, int limit, CancellationToken cancellationToken)
            => Task.FromResult<IReadOnlyList<EventRecord>>([]);

        public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
