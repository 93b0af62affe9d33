using System.Net;
using Microsoft.Extensions.Logging;
using Parley.Server.Diagnostics;
using Parley.Server.Management.Documents;
using Parley.Server.Management.Replication.Status;
using Parley.Server.Security;

namespace Parley.Server.Management.Replication.Transfer;

/// <summary>
/// The master's file transfer agent: one <see cref="ReplicaPushLoop"/> per node of the latest revision's topology
/// (the master itself in process, the others over HTTPS with mutual TLS). Wakes the loops on each new revision and
/// on <c>parley replication invoke</c> (rows in <c>replication_requests</c>, checked every second); nodes that left
/// the topology are stopped and marked deleted. When the topology gives the cms role to another node (move-master),
/// it delivers that revision everywhere, then stops.
/// </summary>
public sealed class FileTransferAgent : IAsyncDisposable
{
    private readonly string _localFqdn;
    private readonly ISnapshotSource _source;
    private readonly ISnapshotVerifier _reader;
    private readonly IReplicaApplier _localApplier;
    private readonly ServerTlsContext _tls;
    private readonly DeploymentTrust _trust;
    private readonly ReplicationStatusStore _status;
    private readonly IEventLog _events;
    private readonly TransferOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly Dictionary<string, (ReplicaTarget Target, ReplicaPushLoop Loop)> _loops = new(StringComparer.OrdinalIgnoreCase);
    private readonly SemaphoreSlim _revisionSignal = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task? _control;
    private long _reconciledRevision = -1;
    private long? _handoverRevision;
    private int _disposed;

    private readonly Func<string, CancellationToken, Task>? _handedOver;

    /// <param name="handedOver">Called with the new master once every node holds the revision that moved the cms role away.</param>
    public FileTransferAgent(string localFqdn, ISnapshotSource source, ISnapshotVerifier reader, IReplicaApplier localApplier, ServerTlsContext tls,
        DeploymentTrust trust, ReplicationStatusStore status, IEventLog events, TransferOptions options, TimeProvider time, ILoggerFactory loggers,
        Func<string, CancellationToken, Task>? handedOver = null)
    {
        _handedOver = handedOver;
        _localFqdn = localFqdn;
        _source = source;
        _reader = reader;
        _localApplier = localApplier;
        _tls = tls;
        _trust = trust;
        _status = status;
        _events = events;
        _options = options;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<FileTransferAgent>();
    }

    /// <summary>Set once the topology named another master and every node holds that revision.</summary>
    public bool Stopped { get; private set; }

    /// <summary>The master's current view of each node (the benchmark waits on it).</summary>
    public IReadOnlyList<ReplicaStatusRecord> Replicas
    {
        get
        {
            lock (_loops)
            {
                return _loops.Values.Select(entry => entry.Loop.Record).ToArray();
            }
        }
    }

    public void Start()
    {
        _source.RevisionCommitted += OnRevisionCommitted;
        _control ??= Task.Run(() => ControlAsync(_stop.Token));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _source.RevisionCommitted -= OnRevisionCommitted;
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_control is not null)
        {
            try
            {
                await _control.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await StopLoopsAsync().ConfigureAwait(false);
        _stop.Dispose();
        _revisionSignal.Dispose();
    }

    private void OnRevisionCommitted(long revision)
    {
        // Loops start the push at once; the control loop then adds or removes nodes if the topology changed.
        WakeAll(full: false);
        try
        {
            if (_revisionSignal.CurrentCount == 0)
            {
                _revisionSignal.Release();
            }
        }
        catch (SemaphoreFullException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task ControlAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested && !Stopped)
        {
            try
            {
                await ReconcileAsync(cancellationToken).ConfigureAwait(false);
                await HandleRequestsAsync(cancellationToken).ConfigureAwait(false);
                await CheckHandoverAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                TransferLog.SnapshotUnavailable(_logger, e);
            }

            try
            {
                await _revisionSignal.WaitAsync(_options.RequestPollInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var latest = await _source.LatestAsync(cancellationToken).ConfigureAwait(false);
        if (latest.Revision == Interlocked.Read(ref _reconciledRevision))
        {
            return;
        }

        var configuration = _reader.Verify(latest.Bytes, expectedMaster: null).Configuration;
        var targets = Targets(configuration.Topology);
        var removed = new List<(ReplicaTarget Target, ReplicaPushLoop Loop)>();
        var added = new List<ReplicaPushLoop>();
        lock (_loops)
        {
            foreach (var (fqdn, entry) in _loops.ToArray())
            {
                if (!targets.TryGetValue(fqdn, out var target) || target != entry.Target)
                {
                    removed.Add(entry);
                    _loops.Remove(fqdn);
                }
            }

            foreach (var target in targets.Values.Where(target => !_loops.ContainsKey(target.Fqdn)))
            {
                var loop = new ReplicaPushLoop(target.Fqdn, Transport(target), _source, _status, _events, _options, _time, _loggers.CreateLogger<ReplicaPushLoop>());
                _loops.Add(target.Fqdn, (target, loop));
                added.Add(loop);
            }
        }

        foreach (var (target, loop) in removed)
        {
            await loop.DisposeAsync().ConfigureAwait(false);
            if (!targets.ContainsKey(target.Fqdn))
            {
                _events.Raise(ParleyEvents.Management.ReplicaRemovedFromTopology, target.Fqdn);
                try
                {
                    await _status.MarkDeletedAsync(target.Fqdn, cancellationToken).ConfigureAwait(false);
                }
                catch (Parley.Server.Storage.StorageException e)
                {
                    TransferLog.StatusWriteFailed(_logger, e, target.Fqdn);
                }
            }
        }

        foreach (var loop in added)
        {
            loop.Start();
        }

        if (added.Count > 0 || removed.Count > 0)
        {
            TransferLog.Targets(_logger, targets.Count, string.Join(", ", targets.Values.Select(t => $"{t.Fqdn} ({t.Address?.ToString() ?? "in process"})")));
        }

        var master = CmsMasterLocator.FromTopology(configuration.Topology);
        _handoverRevision = master is not null && !string.Equals(master, _localFqdn, StringComparison.OrdinalIgnoreCase) ? latest.Revision : null;
        Interlocked.Exchange(ref _reconciledRevision, latest.Revision);
    }

    private async Task HandleRequestsAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<ReplicationRequest> requests;
        try
        {
            requests = await _status.TakePendingRequestsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Parley.Server.Storage.StorageException e)
        {
            TransferLog.RequestsUnavailable(_logger, e);
            return;
        }

        foreach (var request in requests)
        {
            List<ReplicaPushLoop> loops;
            lock (_loops)
            {
                loops = [.. _loops.Values.Select(entry => entry.Loop).Where(loop => request.Replica is null || string.Equals(loop.Fqdn, request.Replica, StringComparison.OrdinalIgnoreCase))];
            }

            foreach (var loop in loops)
            {
                loop.Wake(full: true);
            }

            _events.Raise(ParleyEvents.Management.ReplicationInvoked, request.Replica ?? $"all {loops.Count} nodes", request.Actor);
        }
    }

    /// <summary>After a move of the master: keep delivering the revision that names the new master until every node holds it, then stop.</summary>
    private async Task CheckHandoverAsync()
    {
        if (_handoverRevision is not { } revision)
        {
            return;
        }

        var replicas = Replicas;
        if (replicas.All(replica => replica.AppliedRevision >= revision))
        {
            Stopped = true;
            var master = CmsMasterLocator.FromTopology(_reader.Verify((await _source.LatestAsync(CancellationToken.None).ConfigureAwait(false)).Bytes, null).Configuration.Topology)!;
            await StopLoopsAsync().ConfigureAwait(false);
            if (_handedOver is not null)
            {
                await _handedOver(master, CancellationToken.None).ConfigureAwait(false);
            }

            // Raised last: whoever acts on it (an administrator, a test) finds this node already refusing changes.
            _events.Raise(ParleyEvents.Management.FileTransferAgentStopped, _localFqdn, master);
        }
    }

    private async Task StopLoopsAsync()
    {
        List<ReplicaPushLoop> loops;
        lock (_loops)
        {
            loops = [.. _loops.Values.Select(entry => entry.Loop)];
            _loops.Clear();
        }

        foreach (var loop in loops)
        {
            await loop.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void WakeAll(bool full)
    {
        lock (_loops)
        {
            foreach (var (_, loop) in _loops.Values)
            {
                loop.Wake(full);
            }
        }
    }

    /// <summary>Every topology node with a replica agent; the master itself always (in process), also when the topology is empty (single node).</summary>
    private Dictionary<string, ReplicaTarget> Targets(Topology topology)
    {
        var targets = new Dictionary<string, ReplicaTarget>(StringComparer.OrdinalIgnoreCase);
        foreach (var node in topology.Nodes)
        {
            if (string.Equals(node.Fqdn, _localFqdn, StringComparison.OrdinalIgnoreCase))
            {
                targets[node.Fqdn] = new ReplicaTarget(node.Fqdn, null, 0);
            }
            else if (node.Listeners.ReplicaAgent != 0 && IPAddress.TryParse(node.Ip, out var address))
            {
                targets[node.Fqdn] = new ReplicaTarget(node.Fqdn, address, node.Listeners.ReplicaAgent);
            }

            // A node without a replica agent port reads the file share (cms.fileShare) instead.
        }

        targets.TryAdd(_localFqdn, new ReplicaTarget(_localFqdn, null, 0));
        return targets;
    }

    private IReplicaTransport Transport(ReplicaTarget target)
        => target.Address is null
            ? new InProcessReplicaTransport(_localFqdn, _localApplier, _time)
            : new HttpsReplicaTransport(target.Fqdn, target.Address, target.Port, _tls.Current, _trust, _options);

    /// <summary>Where one node is reached: <see cref="Address"/> null = in process (the master itself).</summary>
    private sealed record ReplicaTarget(string Fqdn, IPAddress? Address, int Port);
}
