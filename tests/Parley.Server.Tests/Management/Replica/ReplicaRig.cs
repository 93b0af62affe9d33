using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Server.Management;
using Parley.Server.Management.Documents;
using Parley.Server.Management.Replication;
using Parley.Server.Management.Replication.Replica;
using Parley.Server.Management.Replication.Snapshots;
using Parley.Server.Storage;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Management.Replica;

/// <summary>
/// A replica on a temp data directory with real files, a real verifier over a test deployment CA, and a master
/// that signs snapshots. Revision N's configuration hosts <c>dN.example</c> and has MaxWatchers = N, so a reader can
/// tell whether two fields came from the same revision.
/// </summary>
internal sealed class ReplicaRig : IDisposable
{
    public const string Master = SampleConfigurations.Master;

    private readonly X509Certificate2 _masterCertificate;

    public ReplicaRig(TimeProvider? time = null)
    {
        Time = time ?? TimeProvider.System;
        _masterCertificate = Ca.IssueNode(Master);
        Writer = new SnapshotWriter(_masterCertificate, Master, "1.0.0");
        Verifier = new SnapshotVerifier(Ca.PublicCertificate, TimeProvider.System);
    }

    public TempDirectory Data { get; } = new();

    public TestDeploymentCa Ca { get; } = new();

    public TimeProvider Time { get; }

    public SnapshotWriter Writer { get; }

    public SnapshotVerifier Verifier { get; }

    public RecordingEventLog Events { get; } = new();

    public ReplicaStoreOptions StoreOptions => new() { DataDirectory = Data.Path };

    public string StorePath => StoreOptions.StorePath;

    public static string DomainOf(long revision) => $"d{revision}.example";

    public static DeploymentConfiguration ConfigurationOf(long revision) => SampleConfigurations.Small() with
    {
        Domains = [DomainOf(revision)],
        Presence = new PresenceSettings { MaxWatchers = (int)revision, MaxContactListSize = (int)revision },
    };

    public byte[] Snapshot(long revision, DeploymentConfiguration? configuration = null)
        => Writer.Write(revision, DateTimeOffset.UnixEpoch.AddDays(revision), configuration ?? ConfigurationOf(revision)).Bytes.ToArray();

    public ReplicaStore NewStore(ReplicaStoreOptions? options = null)
        => new(options ?? StoreOptions, Events, NullLogger<ReplicaStore>.Instance);

    public ReplicaApplier NewApplier(ReplicaStore? store = null, DomainMirror? mirror = null, TimeSpan? staleAfter = null)
        => new(store ?? NewStore(), Verifier, new ReplicaApplierOptions { NodeFqdn = "fe1.example.com", BootstrapMaster = Master, StaleAfter = staleAfter ?? TimeSpan.FromMinutes(5) },
            Events, Time, NullLogger<ReplicaApplier>.Instance, mirror);

    public async Task<ReplicaApplier> StartedApplierAsync(DomainMirror? mirror = null)
    {
        var applier = NewApplier(mirror: mirror);
        await applier.InitializeAsync(CancellationToken.None);
        return applier;
    }

    public ReplicaDeploymentSettings SettingsFor(ReplicaApplier applier)
        => new(applier, new DeploymentSettingsOptions { RefreshInterval = TimeSpan.FromMinutes(10) }, Time, NullLogger<ReplicaDeploymentSettings>.Instance);

    public DomainMirror MirrorFor(ParleyDatabase database) => new(database, Time, NullLogger<DomainMirror>.Instance);

    public int RaisedCount(int eventId) => Events.Raised.Count(e => e.Definition.Id == eventId);

    public (Parley.Server.Diagnostics.EventDefinition Definition, object?[] Args) Single(int eventId)
        => Assert.Single(Events.Raised, e => e.Definition.Id == eventId);

    public void Dispose()
    {
        _masterCertificate.Dispose();
        Ca.Dispose();
        Data.Dispose();
    }
}
