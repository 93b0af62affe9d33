using Microsoft.Extensions.Logging.Abstractions;
using Parley.Server.Management.Replication.Replica;
using Parley.Server.Storage;

namespace Parley.Server.Management.Replication.Status;

/// <summary>
/// What <c>parley replication status</c> shows, read from a data directory while the node runs: on the master the
/// per-replica rows the file transfer agent keeps; on every node its own replica store (revision, last contact with
/// the master and how stale that is).
/// </summary>
public sealed class ReplicationStatusReader(ParleyStore store, TimeProvider time)
{
    public async Task<ReplicationStatusView> ReadAsync(CancellationToken cancellationToken)
    {
        var latest = store.Cms.IsMaster ? await store.Cms.GetRevisionAsync(cancellationToken).ConfigureAwait(false) : -1;
        var replicas = await new ReplicationStatusStore(store.Database).ListAsync(latest, cancellationToken).ConfigureAwait(false);
        var local = ReadLocal();
        var active = replicas.Where(r => !r.Deleted).ToArray();
        var deleted = replicas.Where(r => r.Deleted).Select(r => r.Fqdn).ToArray();
        var isMaster = store.Cms.IsMaster && replicas.Count > 0;
        var master = store.Cms.IsMaster ? local?.Master : store.Cms.MasterFqdn ?? local?.Master;
        var cms = new CmsView(
            master,
            isMaster && master is not null ? [master] : [],
            active.Select(r => r.Fqdn).ToArray(),
            deleted);
        return new ReplicationStatusView(isMaster, active, cms, local);
    }

    private LocalReplicaStatus? ReadLocal()
    {
        var replicaStore = new ReplicaStore(new ReplicaStoreOptions { DataDirectory = store.Database.DataDirectory }, store.Events, NullLogger<ReplicaStore>.Instance);
        return System.IO.Directory.Exists(replicaStore.Root) ? replicaStore.ReadLocalStatus(time.GetUtcNow()) : null;
    }
}

public sealed record ReplicationStatusView(bool IsMaster, IReadOnlyList<ReplicaStatusRecord> Replicas, CmsView Cms, LocalReplicaStatus? Local);

/// <summary>Get-CsManagementStoreReplicationStatus -CentralManagementStoreStatus's view.</summary>
public sealed record CmsView(string? ActiveMaster, IReadOnlyList<string> FileTransferAgents, IReadOnlyList<string> ActiveReplicas, IReadOnlyList<string> DeletedReplicas);

