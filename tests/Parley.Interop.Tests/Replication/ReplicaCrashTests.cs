using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Interop.Tests.Harness;
using Parley.Server.Configuration;
using Parley.Server.Diagnostics;
using Parley.Server.Management.Documents;
using Parley.Server.Management.Replication.Replica;
using Parley.Server.Management.Replication.Snapshots;

namespace Parley.Interop.Tests.Replication;

/// <summary>
/// Kill -9 during an apply, at each step of the commit (PARLEY_REPLICA_FAULT makes the real `parley replication
/// import` SIGKILL itself there), repeatedly: the store always loads a complete revision — the old one before the
/// commit point, the new one after — and the next import finishes the job.
/// </summary>
public sealed class ReplicaCrashTests(ITestOutputHelper output) : IDisposable
{
    private const string Master = "cms.crash.example";
    private const int Rounds = 3;
    private const int KilledBySigkill = 128 + 9;

    private readonly string _root = Directory.CreateTempSubdirectory("parley-replica-crash-").FullName;

    public static TheoryData<string> Steps() => new() { "after-temp-write", "after-rename", "after-current-temp", "after-commit" };

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task Killed_at_each_commit_step_the_store_restarts_on_a_complete_revision(string step)
    {
        using var certificates = new DeploymentCertificates(Path.Combine(_root, "certs"));
        var (certificatePath, keyPath) = certificates.Issue("master", Master);
        using var signer = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        var writer = new SnapshotWriter(signer, Master, "1.0.0");
        var data = Path.Combine(_root, "data");
        (await ImportAsync(data, certificates.CaPath, WriteSnapshot(writer, 1), fault: null)).ShouldSucceed();

        for (var revision = 2L; revision < 2 + Rounds; revision++)
        {
            var file = WriteSnapshot(writer, revision);
            var killed = await ImportAsync(data, certificates.CaPath, file, step);
            output.WriteLine(killed.ToString());
            Assert.True(killed.ExitCode == KilledBySigkill, $"expected the import to kill itself at {step}:\n{killed}");

            var committed = step == "after-commit";
            var (loaded, events) = Load(data, certificates.CaPath);
            Assert.Equal(committed ? revision : revision - 1, loaded.Snapshot?.Signed.Revision);
            Assert.False(loaded.FellBack, $"the store fell back after a kill at {step}: {string.Join("; ", events)}");

            var again = (await ImportAsync(data, certificates.CaPath, file, fault: null)).ShouldSucceed();
            Assert.Contains(committed ? "already held" : $"Applied revision {revision}", again.StandardOutput);
            var (reloaded, _) = Load(data, certificates.CaPath);
            Assert.Equal(revision, reloaded.Snapshot?.Signed.Revision);
            Assert.Empty(Directory.GetFiles(Path.Combine(data, ReplicaStoreOptions.DirectoryName), "*.tmp", SearchOption.AllDirectories));
        }
    }

    [Fact]
    public async Task An_unknown_fault_step_is_refused_rather_than_testing_nothing()
    {
        using var certificates = new DeploymentCertificates(Path.Combine(_root, "certs"));
        var (certificatePath, keyPath) = certificates.Issue("master", Master);
        using var signer = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        var file = WriteSnapshot(new SnapshotWriter(signer, Master, "1.0.0"), 1);

        var result = (await ImportAsync(Path.Combine(_root, "data"), certificates.CaPath, file, "after-lunch")).ShouldFailClearly();

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("PARLEY_REPLICA_FAULT", result.StandardError);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static Task<CliResult> ImportAsync(string data, string ca, string file, string? fault)
        => RunAsync(["replication", "import", "--file", file, "--ca", ca, "--data", data],
            fault is null ? null : new Dictionary<string, string> { [ReplicaStoreOptions.FaultEnvironmentVariable] = fault });

    private static async Task<CliResult> RunAsync(string[] arguments, IDictionary<string, string>? environment)
    {
        var (code, stdout, stderr) = await ProcessRunner.RunAsync(RepoPaths.DotnetHost, [RepoPaths.ParleyDll, .. arguments], ParleyCli.Timeout, environment);
        return new CliResult(arguments, code, stdout, stderr);
    }

    /// <summary>Loads the store as a restarting node would: pointer, revision file, full re-verification.</summary>
    private static (ReplicaLoadResult Loaded, IReadOnlyList<string> Events) Load(string data, string caPath)
    {
        var events = new CollectingEventLog();
        using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(caPath));
        var verifier = new SnapshotVerifier(ca, TimeProvider.System);
        var store = new ReplicaStore(new ReplicaStoreOptions { DataDirectory = data }, events, NullLogger<ReplicaStore>.Instance);
        var loaded = store.Load(bytes => verifier.Verify(bytes, Master));
        return (loaded, events.Messages);
    }

    private string WriteSnapshot(SnapshotWriter writer, long revision)
    {
        var configuration = new DeploymentConfiguration
        {
            Topology = new Topology
            {
                Pools = [new Pool("pool.crash.example", "site")],
                Sites = [new Site("site")],
                Nodes = [new TopologyNode { Fqdn = Master, Ip = "127.0.0.1", Pool = "pool.crash.example", Roles = NodeRole.Cms | NodeRole.Frontend }],
            },
            Domains = [$"d{revision}.crash.example"],
        };
        var path = Path.Combine(_root, $"{revision}.snapshot");
        File.WriteAllBytes(path, writer.Write(revision, DateTimeOffset.UtcNow, configuration).Bytes.ToArray());
        return path;
    }

    private sealed class CollectingEventLog : IEventLog
    {
        private readonly List<string> _messages = [];

        public IReadOnlyList<string> Messages
        {
            get
            {
                lock (_messages)
                {
                    return _messages.ToArray();
                }
            }
        }

        public void Raise(EventDefinition definition, params object?[] args)
        {
            lock (_messages)
            {
                _messages.Add($"{definition.Id}: {EventTemplate.Format(definition.MessageTemplate, args)}");
            }
        }

        public Task<IReadOnlyList<EventRecord>> QueryAsync(int? id, DateTimeOffset? since, int limit, CancellationToken cancellationToken)
            => Task.FromResult<IReadOnlyList<EventRecord>>([]);

        public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
