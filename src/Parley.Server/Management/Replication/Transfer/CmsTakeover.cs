using Microsoft.Extensions.Logging;
using Parley.Server.Diagnostics;
using Parley.Server.Management.Cms;
using Parley.Server.Management.Documents;
using Parley.Server.Management.Replication.Replica;
using Parley.Server.Management.Replication.Snapshots;
using Parley.Server.Management.Replication.Status;
using Parley.Server.Security;
using Parley.Server.Storage;

namespace Parley.Server.Management.Replication.Transfer;

/// <summary>
/// Moving the master, target side (docs/design/cms.md "Moving the master"): when this node applies a revision whose
/// topology gives it the cms role, it initialises its CMS store from that replica revision (same documents, same
/// revision number, role recorded as master so the CLI accepts changes here) and starts its own master replicator
/// (signing with its own key) and file transfer agent.
/// </summary>
public sealed class CmsTakeover(
    string localFqdn,
    ParleyDatabase database,
    ReplicaApplier applier,
    Func<FileTransferAgentFactory> agents,
    IEventLog events,
    TimeProvider time,
    ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SqliteCmsStore? _store;
    private MasterReplicator? _replicator;
    private FileTransferAgent? _agent;

    public FileTransferAgent? Agent => _agent;

    /// <summary>Watches applied revisions; also checks the one held now (a restart after the move).</summary>
    public void Start()
    {
        applier.Applied += OnApplied;
        if (applier.Held is { } held)
        {
            OnApplied(held);
        }
    }

    public async ValueTask DisposeAsync()
    {
        applier.Applied -= OnApplied;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_agent is not null)
            {
                await _agent.DisposeAsync().ConfigureAwait(false);
            }

            if (_replicator is not null)
            {
                await _replicator.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private void OnApplied(VerifiedSnapshot snapshot)
    {
        if (_agent is null && string.Equals(CmsMasterLocator.FromTopology(snapshot.Configuration.Topology), localFqdn, StringComparison.OrdinalIgnoreCase))
        {
            // Not under the applier's lock: the takeover reads the store and starts pushing.
            _ = Task.Run(() => TakeOverAsync(snapshot));
        }
    }

    private async Task TakeOverAsync(VerifiedSnapshot snapshot)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_agent is not null)
            {
                return;
            }

            var revision = snapshot.Signed.Revision;
            await database.WriteAsync("taking over the CMS master role", session =>
            {
                // Revisions continue above the replica's: a later change must be newer than what every node holds.
                if (SqliteRevisions.Latest(session) < revision)
                {
                    session.Execute("INSERT INTO revisions (revision, time_ms, actor, description) VALUES ($revision, $time, $actor, $description)",
                        ("$revision", revision), ("$time", StoredTime.ToStored(snapshot.Signed.Created)), ("$actor", $"node:{localFqdn}"),
                        ("$description", $"CMS master moved to {localFqdn} from {snapshot.Signed.MasterFqdn} at revision {revision}"));
                }

                foreach (var name in DocumentNames.All)
                {
                    CmsDocumentTable.Write(session, name, DocumentJson.Serialize(snapshot.Configuration, name), revision);
                }

                CmsRoleRecord.Write(session, CmsOptions.Master);
                return 0;
            }, CancellationToken.None).ConfigureAwait(false);

            _store = new SqliteCmsStore(database, events, time, CmsOptions.Master, loggers.CreateLogger<SqliteCmsStore>());
            await _store.StartAsync(CancellationToken.None).ConfigureAwait(false);
            var factory = agents();
            _replicator = factory.Replicator(_store);
            await _replicator.StartAsync(CancellationToken.None).ConfigureAwait(false);
            _agent = factory.Agent(_replicator);
            _agent.Start();
            events.Raise(ParleyEvents.Management.CmsMasterTakenOver, localFqdn, revision, snapshot.Signed.MasterFqdn);
        }
        catch (Exception e) when (e is StorageException or InvalidOperationException)
        {
            TransferLog.TakeoverFailed(loggers.CreateLogger<CmsTakeover>(), e, localFqdn);
        }
        finally
        {
            _gate.Release();
        }
    }
}

/// <summary>Builds a master replicator and file transfer agent for a CMS store (the node's own, or one taken over).</summary>
public sealed class FileTransferAgentFactory(
    string localFqdn,
    NodeCertificateHolder certificate,
    ISnapshotVerifier verifier,
    ReplicaApplier applier,
    ServerTlsContext tls,
    DeploymentTrust trust,
    ParleyDatabase database,
    IEventLog events,
    TransferOptions options,
    TimeProvider time,
    ILoggerFactory loggers)
{
    private readonly ReplicationStatusStore _status = new(database);

    public MasterReplicator Replicator(ICmsStore store)
        => new(store, () => certificate.Identity.Signer, localFqdn, events, time, new MasterReplicatorOptions(), loggers.CreateLogger<MasterReplicator>());

    public FileTransferAgent Agent(ISnapshotSource source)
        => new(localFqdn, source, verifier, applier, tls, trust, _status, events, options, time, loggers, RecordHandoverAsync);

    /// <summary>The old master refuses changes from the CLI once the new master holds the store (the running process until restart).</summary>
    private Task RecordHandoverAsync(string newMaster, CancellationToken cancellationToken)
        => database.WriteAsync("recording the move of the CMS master", session =>
        {
            CmsRoleRecord.Write(session, CmsOptions.ReplicaOf(newMaster));
            return 0;
        }, cancellationToken);
}
