using Microsoft.Extensions.Logging;
using Parley.Server.Configuration;
using Parley.Server.Diagnostics;
using Parley.Server.Management.Documents;

namespace Parley.Server.Management.Replication.Replica;

/// <summary>
/// The replica replicator agent's local side: verifies a snapshot, refuses anything not newer than what is held,
/// commits it to the <see cref="ReplicaStore"/>, then switches the running node to it (<see cref="Applied"/>, which
/// <see cref="ReplicaDeploymentSettings"/> turns into its Changed event) and mirrors the domains into parley.db.
/// Applies are serialised; the held revision is one immutable object swapped at once.
/// </summary>
public sealed class ReplicaApplier : IReplicaApplier, IDisposable
{
    private readonly ReplicaStore _store;
    private readonly ISnapshotVerifier _verifier;
    private readonly ReplicaApplierOptions _options;
    private readonly IEventLog _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DomainMirror? _domainMirror;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _statusGate = new();
    private readonly Lock _statusFileGate = new();
    private volatile HeldRevision _held = HeldRevision.None;
    private ReplicaStatusFile _status = new();
    private long _committedOnDisk; // what `current` named when last read or written; 0 = nothing committed
    private bool _staleReported;

    public ReplicaApplier(ReplicaStore store, ISnapshotVerifier verifier, ReplicaApplierOptions options, IEventLog events, TimeProvider time,
        ILogger<ReplicaApplier> logger, DomainMirror? domainMirror = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.NodeFqdn);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.StaleAfter, TimeSpan.Zero);
        _store = store;
        _verifier = verifier;
        _options = options;
        _events = events;
        _time = time;
        _logger = logger;
        _domainMirror = domainMirror;
        _store.AccessRestored += () => _events.Raise(ParleyEvents.Management.ReplicaStoreAccessRestored, _store.Root, HeldRevisionNumber);
    }

    /// <summary>Raised, under the apply lock and before <see cref="ApplyAsync"/> returns, when the node switches revision.</summary>
    public event Action<VerifiedSnapshot>? Applied;

    /// <summary>The revision the node runs on; null before the first apply (revision 0, no configuration).</summary>
    public VerifiedSnapshot? Held => _held.Snapshot;

    public ReplicaStore Store => _store;

    public DateTimeOffset? LastMasterContact
    {
        get
        {
            lock (_statusGate)
            {
                return _status.LastMasterContact;
            }
        }
    }

    public ReplicaStatusReport Status
    {
        get
        {
            var held = _held;
            lock (_statusGate)
            {
                return new ReplicaStatusReport(_options.NodeFqdn, held.Revision, held.Snapshot?.Signed.ContentHash, held.Snapshot?.Signed.Created,
                    held.AppliedAt, _options.ProductVersion, _status.LastError);
            }
        }
    }

    public LocalReplicaStatus LocalStatus
    {
        get
        {
            var held = _held;
            var now = _time.GetUtcNow();
            lock (_statusGate)
            {
                return new LocalReplicaStatus(_store.Root, held.Revision, held.Snapshot?.Signed.ContentHash, held.Snapshot?.Signed.MasterFqdn,
                    held.Snapshot?.Signed.Created, held.AppliedAt, held.ReceivedFrom, _status.LastMasterContact, now - _status.LastMasterContact,
                    _status.LastError, _status.LastErrorAt);
            }
        }
    }

    /// <summary>Who must have signed the next snapshot: the cms node of the held topology, else bootstrap <c>cms.master</c>.</summary>
    public string? ExpectedMaster => CmsNode(_held.Snapshot?.Configuration.Topology) ?? _options.BootstrapMaster;

    private long HeldRevisionNumber => _held.Revision;

    /// <summary>
    /// Loads what the store holds (re-verified; falls back on damage) and switches the node to it. Call once at
    /// start. Throws <see cref="ReplicaStoreAccessDeniedException"/> when the store cannot be read.
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var status = _store.ReadStatus() ?? new ReplicaStatusFile();
            lock (_statusGate)
            {
                _status = status;
            }

            await LoadFromStoreAsync(status, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Picks up a revision committed by another process (<c>parley replication import</c> while the node runs).
    /// Cheap when nothing moved: one small file read. Returns true when the node switched revision.
    /// </summary>
    public async Task<bool> ReloadIfChangedAsync(CancellationToken cancellationToken)
    {
        if ((_store.ReadCommittedRevision() ?? 0) == Volatile.Read(ref _committedOnDisk))
        {
            return false;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if ((_store.ReadCommittedRevision() ?? 0) == _committedOnDisk)
            {
                return false;
            }

            var before = _held.Revision;
            var status = _store.ReadStatus();
            if (status is not null)
            {
                lock (_statusGate)
                {
                    // The other process wrote the apply fields; master contact is whichever is newer.
                    _status = status with { LastMasterContact = Latest(status.LastMasterContact, _status.LastMasterContact) };
                }
            }

            await LoadFromStoreAsync(status ?? new ReplicaStatusFile(), cancellationToken).ConfigureAwait(false);
            if (_held.Revision != before)
            {
                ReplicaLog.ReloadedFromDisk(_logger, _held.Revision);
                return true;
            }

            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<ReplicaStatusReport> ApplyAsync(ReadOnlyMemory<byte> snapshot, string receivedFrom, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var verified = Verify(snapshot, receivedFrom);
            var held = _held;
            var revision = verified.Signed.Revision;
            if (revision == held.Revision && (held.Snapshot is null || held.Snapshot.Signed.ContentHash == verified.Signed.ContentHash))
            {
                ReplicaLog.AlreadyHeld(_logger, revision, receivedFrom);
                if (held.Snapshot is not null && _committedOnDisk != revision)
                {
                    // Held from a file `current` does not name (a crash before the first commit point): commit it now.
                    CommitOrRecord(revision, snapshot);
                }

                ClearError();
                return Status;
            }

            if (revision <= held.Revision)
            {
                var detail = revision == held.Revision
                    ? $"revision {revision} is already held with content hash {held.Snapshot!.Signed.ContentHash}, this copy has {verified.Signed.ContentHash} (two masters, or a master store restored from an old backup?)"
                    : $"revision {revision} is older than the held revision {held.Revision}";
                throw Rejected(new SnapshotRejectedException(SnapshotRejection.OlderRevision, detail), revision, receivedFrom);
            }

            CommitOrRecord(revision, snapshot);
            var now = _time.GetUtcNow();
            Switch(new HeldRevision(verified, now, receivedFrom));
            _events.Raise(ParleyEvents.Management.ReplicaRevisionApplied, revision, verified.Signed.MasterFqdn,
                verified.Signed.Created.UtcDateTime.ToString("u", System.Globalization.CultureInfo.InvariantCulture), receivedFrom, held.Revision);
            lock (_statusGate)
            {
                _status = _status with
                {
                    Revision = revision,
                    ContentHash = verified.Signed.ContentHash,
                    LastUpdateCreation = verified.Signed.Created,
                    Master = verified.Signed.MasterFqdn,
                    AppliedAt = now,
                    ReceivedFrom = receivedFrom,
                    LastError = null,
                    LastErrorAt = null,
                };
            }

            PersistStatus();
            await MirrorDomainsAsync(verified, cancellationToken).ConfigureAwait(false);
            return Status;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void RecordMasterContact(DateTimeOffset at)
    {
        TimeSpan? lostFor = null;
        lock (_statusGate)
        {
            if (_status.LastMasterContact is { } previous && previous >= at)
            {
                return;
            }

            if (_staleReported)
            {
                _staleReported = false;
                lostFor = at - _status.LastMasterContact;
            }

            _status = _status with { LastMasterContact = at };
        }

        if (lostFor is { } lost)
        {
            _events.Raise(ParleyEvents.Management.ReplicaMasterContactRestored, DurationText.Format(lost), HeldRevisionNumber);
        }

        PersistStatus();
    }

    /// <summary>Raises the stale-replica warning (1043) once per episode; called periodically by <see cref="ReplicaDeploymentSettings"/>.</summary>
    public void CheckStaleness()
    {
        var now = _time.GetUtcNow();
        DateTimeOffset contact;
        lock (_statusGate)
        {
            if (_staleReported || _status.LastMasterContact is not { } last || now - last <= _options.StaleAfter)
            {
                return;
            }

            _staleReported = true;
            contact = last;
        }

        _events.Raise(ParleyEvents.Management.ReplicaStale, DurationText.Format(now - contact),
            contact.UtcDateTime.ToString("u", System.Globalization.CultureInfo.InvariantCulture), HeldRevisionNumber);
    }

    public void Dispose() => _gate.Dispose();

    private VerifiedSnapshot Verify(ReadOnlyMemory<byte> snapshot, string receivedFrom)
    {
        try
        {
            return _verifier.Verify(snapshot, ExpectedMaster);
        }
        catch (SnapshotRejectedException e)
        {
            throw Rejected(e, null, receivedFrom);
        }
    }

    private void CommitOrRecord(long revision, ReadOnlyMemory<byte> snapshot)
    {
        try
        {
            _store.Commit(revision, snapshot);
        }
        catch (ReplicaStoreAccessDeniedException e)
        {
            RecordError(e.Message, persist: false);
            throw;
        }

        Volatile.Write(ref _committedOnDisk, revision);
    }

    private SnapshotRejectedException Rejected(SnapshotRejectedException rejection, long? revision, string receivedFrom)
    {
        _events.Raise(ParleyEvents.Management.SnapshotRejected, revision?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown",
            rejection.Reason, rejection.Detail, receivedFrom);
        RecordError($"snapshot from {receivedFrom} rejected ({rejection.Reason}): {rejection.Detail}", persist: true);
        return rejection;
    }

    private async Task LoadFromStoreAsync(ReplicaStatusFile status, CancellationToken cancellationToken)
    {
        // Re-verification at load checks hash, signature and CA chain; who the master is was checked at apply.
        var loaded = _store.Load(bytes => _verifier.Verify(bytes, expectedMaster: null));
        Volatile.Write(ref _committedOnDisk, loaded.CommittedRevision ?? 0);
        if (loaded.Snapshot is not { } snapshot)
        {
            Switch(HeldRevision.None);
            return;
        }

        var described = status.Revision == snapshot.Signed.Revision && status.ContentHash == snapshot.Signed.ContentHash;
        Switch(new HeldRevision(snapshot, described ? status.AppliedAt : loaded.FileTime, described ? status.ReceivedFrom : null));
        await MirrorDomainsAsync(snapshot, cancellationToken).ConfigureAwait(false);
    }

    private void Switch(HeldRevision next)
    {
        var previous = _held;
        _held = next;
        if (next.Snapshot is null || ReferenceEquals(previous.Snapshot, next.Snapshot))
        {
            return;
        }

        try
        {
            Applied?.Invoke(next.Snapshot);
        }
        catch (Exception e)
        {
            // The revision is committed and held; a failing observer must not make the master retry forever.
            ReplicaLog.ChangedHandlerFailed(_logger, e);
        }
    }

    private async Task MirrorDomainsAsync(VerifiedSnapshot snapshot, CancellationToken cancellationToken)
    {
        if (_domainMirror is null)
        {
            return;
        }

        try
        {
            await _domainMirror.SyncAsync(snapshot.Configuration.Domains, snapshot.Signed.Revision, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // parley.db raised its own storage event; the configuration itself is applied. Retried at the next apply or start.
            ReplicaLog.DomainMirrorFailed(_logger, e, snapshot.Signed.Revision);
        }
    }

    private void RecordError(string error, bool persist)
    {
        lock (_statusGate)
        {
            _status = _status with { LastError = error, LastErrorAt = _time.GetUtcNow() };
        }

        if (persist)
        {
            PersistStatus();
        }
    }

    private void ClearError()
    {
        lock (_statusGate)
        {
            if (_status.LastError is null)
            {
                return;
            }

            _status = _status with { LastError = null, LastErrorAt = null };
        }

        PersistStatus();
    }

    private void PersistStatus()
    {
        // One writer at a time, each writing the state as it is when its turn comes: the last write is the newest.
        lock (_statusFileGate)
        {
            ReplicaStatusFile status;
            lock (_statusGate)
            {
                status = _status;
            }

            try
            {
                _store.WriteStatus(status);
            }
            catch (Exception e) when (e is ReplicaStoreAccessDeniedException or IOException)
            {
                // Status is advisory; 1034 was raised once for the episode. The next write tries again.
                ReplicaLog.StatusWriteFailed(_logger, e, _store.StatusPath);
            }
        }
    }

    private static string? CmsNode(Topology? topology) => topology?.Nodes.FirstOrDefault(node => node.Roles.HasFlag(NodeRole.Cms))?.Fqdn;

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    /// <summary>The revision the node runs on and how it got it; replaced as a whole so readers never see a mix.</summary>
    private sealed record HeldRevision(VerifiedSnapshot? Snapshot, DateTimeOffset? AppliedAt, string? ReceivedFrom)
    {
        public static HeldRevision None { get; } = new(null, null, null);

        public long Revision => Snapshot?.Signed.Revision ?? 0;
    }
}
