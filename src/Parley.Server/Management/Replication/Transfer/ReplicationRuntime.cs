using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parley.Server.Configuration;
using Parley.Server.Diagnostics;
using Parley.Server.Management.Replication.Replica;
using Parley.Server.Management.Replication.Snapshots;
using Parley.Server.Management.Replication.Status;
using Parley.Server.Security;
using Parley.Server.Storage;

namespace Parley.Server.Management.Replication.Transfer;

/// <summary>
/// Starts and stops a node's part in replication, in order: load the replica the node already holds (so a node whose
/// master is down serves its last good revision), then on the master deliver the latest revision to itself before
/// the node reports ready and start the file transfer agent, then open the replica agent listener if configured.
/// </summary>
public sealed class ReplicationRuntime(IServiceProvider services, NodeOptions node, IEventLog events, TimeProvider time,
    ILoggerFactory loggers) : IAsyncDisposable
{
    private FileTransferAgent? _agent;
    private MasterReplicator? _replicator;
    private CmsTakeover? _takeover;
    private FileShareSnapshotWriter? _fileShare;
    private ReplicaAgentListener? _listener;

    public IPEndPoint? ListenerEndPoint => _listener?.EndPoint;

    /// <summary>Null on a node that is not the master.</summary>
    public FileTransferAgent? Agent => _agent ?? _takeover?.Agent;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var applier = services.GetRequiredService<ReplicaApplier>();
        try
        {
            await services.GetRequiredService<ReplicaAgent>().StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ReplicaStoreAccessDeniedException)
        {
            // Event 1034 is raised by the store; the node starts with no revision and recovers on the next push.
        }

        var locator = services.GetRequiredService<CmsMasterLocator>();
        if (locator.IsLocal && services.GetRequiredService<ParleyStore>().Cms.IsMaster)
        {
            var source = services.GetRequiredService<MasterReplicator>();
            await source.StartAsync(cancellationToken).ConfigureAwait(false);
            _replicator = source;
            await DeliverToSelfAsync(source, applier, cancellationToken).ConfigureAwait(false);
            _agent = services.GetRequiredService<FileTransferAgentFactory>().Agent(source);
            _agent.Start();
            if (node.CmsFileShare is { } share)
            {
                _fileShare = new FileShareSnapshotWriter(share, source, events, loggers.CreateLogger<FileShareSnapshotWriter>());
                await _fileShare.StartAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            // The topology may give this node the cms role later (move-master): take over then.
            _takeover = new CmsTakeover(node.Fqdn, services.GetRequiredService<ParleyDatabase>(), applier, services.GetRequiredService<FileTransferAgentFactory>,
                events, time, loggers);
            _takeover.Start();
        }

        if (node.ReplicaAgentPort != 0)
        {
            var listener = new ReplicaAgentListener(node.BindAddress, node.ReplicaAgentPort, services.GetRequiredService<ServerTlsContext>(),
                services.GetRequiredService<DeploymentTrust>(), locator, applier, events, time, loggers.CreateLogger<ReplicaAgentListener>());
            _listener = listener;
            await listener.StartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_listener is not null)
        {
            await _listener.DisposeAsync().ConfigureAwait(false);
        }

        if (_fileShare is not null)
        {
            await _fileShare.DisposeAsync().ConfigureAwait(false);
        }

        if (_agent is not null)
        {
            await _agent.DisposeAsync().ConfigureAwait(false);
        }

        if (_replicator is not null)
        {
            await _replicator.DisposeAsync().ConfigureAwait(false);
        }

        if (_takeover is not null)
        {
            await _takeover.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The master serves its latest revision from the moment it is ready (the agent would deliver it a moment later).</summary>
    private static async Task DeliverToSelfAsync(ISnapshotSource source, ReplicaApplier applier, CancellationToken cancellationToken)
    {
        var latest = await source.LatestAsync(cancellationToken).ConfigureAwait(false);
        if (applier.Status.AppliedRevision == latest.Revision)
        {
            return;
        }

        try
        {
            await applier.ApplyAsync(latest.Bytes, latest.MasterFqdn, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SnapshotRejectedException or ReplicaStoreAccessDeniedException)
        {
            // Raised as an event by the applier; the agent keeps retrying and reports it in replication status.
        }
    }
}
