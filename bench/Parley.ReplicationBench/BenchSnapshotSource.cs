using System.Security.Cryptography.X509Certificates;
using Parley.Server.Management.Documents;
using Parley.Server.Management.Replication;
using Parley.Server.Management.Replication.Snapshots;

namespace Parley.ReplicationBench;

/// <summary>The master's snapshot source as the CMS store drives it: each commit writes and signs one new revision.</summary>
internal sealed class BenchSnapshotSource(X509Certificate2 master, string masterFqdn) : ISnapshotSource
{
    private readonly SnapshotWriter _writer = new(master, masterFqdn, ProductVersion.Current);
    private SignedSnapshot? _latest;

    public event Action<long>? RevisionCommitted;

    public Task<SignedSnapshot> LatestAsync(CancellationToken cancellationToken)
        => Task.FromResult(Volatile.Read(ref _latest) ?? throw new InvalidOperationException("nothing committed"));

    public long Commit(DeploymentConfiguration configuration)
    {
        var revision = (_latest?.Revision ?? 0) + 1;
        Volatile.Write(ref _latest, _writer.Write(revision, DateTimeOffset.UtcNow, ConfigurationNormalizer.Normalize(configuration)));
        RevisionCommitted?.Invoke(revision);
        return revision;
    }
}
