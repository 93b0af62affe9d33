using System.Security.Cryptography.X509Certificates;
using Parley.Server.Management.Documents;
using Parley.Server.Management.Replication;
using Parley.Server.Management.Replication.Snapshots;

namespace Parley.Server.Tests.Management.Replication.Transfer;

/// <summary>The master side of a snapshot source, with the real writer: each <see cref="Commit"/> is a new signed revision.</summary>
internal sealed class TestSnapshotSource(X509Certificate2 masterCertificate, string masterFqdn) : ISnapshotSource
{
    private readonly SnapshotWriter _writer = new(masterCertificate, masterFqdn, "9.9.9");
    private SignedSnapshot? _latest;

    public event Action<long>? RevisionCommitted;

    public Task<SignedSnapshot> LatestAsync(CancellationToken cancellationToken)
        => Task.FromResult(Volatile.Read(ref _latest) ?? throw new InvalidOperationException("nothing committed"));

    public SignedSnapshot Commit(DeploymentConfiguration configuration)
    {
        var revision = (_latest?.Revision ?? 0) + 1;
        var snapshot = _writer.Write(revision, DateTimeOffset.UtcNow, ConfigurationNormalizer.Normalize(configuration));
        Volatile.Write(ref _latest, snapshot);
        RevisionCommitted?.Invoke(revision);
        return snapshot;
    }
}
