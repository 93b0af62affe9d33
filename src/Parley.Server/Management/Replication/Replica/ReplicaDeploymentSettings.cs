using System.Collections.Frozen;
using Microsoft.Extensions.Logging;

namespace Parley.Server.Management.Replication.Replica;

/// <summary>
/// What a running node reads: the configuration of the revision its replica holds. <see cref="Current"/> is one
/// immutable <see cref="DeploymentSnapshot"/> replaced by a single reference write when the applier switches
/// revision (hot reload: no restart), so a reader sees the old or the new revision, never a mix. Before any revision
/// is applied it is revision 0 with no domains. A timer picks up revisions committed by another process
/// (<c>parley replication import</c>) and raises the stale-replica warning.
/// </summary>
public sealed class ReplicaDeploymentSettings : IDeploymentSettings, IAsyncDisposable
{
    /// <summary>Revision 0: no configuration yet; the node serves no domain.</summary>
    public static readonly DeploymentSnapshot Empty = new(0, FrozenSet<string>.Empty, new PresenceSettings());

    private readonly ReplicaApplier _applier;
    private readonly TimeProvider _time;
    private readonly DeploymentSettingsOptions _options;
    private readonly ILogger _logger;
    private DeploymentSnapshot _current = Empty;
    private ITimer? _timer;
    private int _ticking;

    public ReplicaDeploymentSettings(ReplicaApplier applier, DeploymentSettingsOptions options, TimeProvider time, ILogger<ReplicaDeploymentSettings> logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.RefreshInterval, TimeSpan.Zero);
        _applier = applier;
        _options = options;
        _time = time;
        _logger = logger;
        _applier.Applied += OnApplied;

        // Subscribed first: if an apply raced this constructor, its snapshot is already in _current and wins.
        if (applier.Held is { } held)
        {
            Interlocked.CompareExchange(ref _current, ToDeploymentSnapshot(held), Empty);
        }
    }

    public DeploymentSnapshot Current => Volatile.Read(ref _current);

    public event Action<DeploymentSnapshot>? Changed;

    public async Task<DeploymentSnapshot> RefreshAsync(CancellationToken cancellationToken)
    {
        await _applier.ReloadIfChangedAsync(cancellationToken).ConfigureAwait(false);
        return Current;
    }

    /// <summary>Starts the periodic check (revisions committed by another process, staleness).</summary>
    public void Start()
    {
        _timer ??= _time.CreateTimer(_ => _ = TickAsync(), null, _options.RefreshInterval, _options.RefreshInterval);
    }

    public ValueTask DisposeAsync()
    {
        _applier.Applied -= OnApplied;
        var timer = Interlocked.Exchange(ref _timer, null);
        return timer?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    /// <summary>The node's view of a verified snapshot; built once per revision, then only read.</summary>
    public static DeploymentSnapshot ToDeploymentSnapshot(VerifiedSnapshot snapshot)
        => DeploymentSnapshot.From(snapshot.Signed.Revision, snapshot.Configuration);

    private void OnApplied(VerifiedSnapshot snapshot)
    {
        var next = ToDeploymentSnapshot(snapshot);
        Volatile.Write(ref _current, next);
        try
        {
            Changed?.Invoke(next);
        }
        catch (Exception e)
        {
            ReplicaLog.ChangedHandlerFailed(_logger, e);
        }
    }

    // Never throws: it runs detached from the timer.
    private async Task TickAsync()
    {
        // Skip a tick rather than pile up behind a slow reload.
        if (Interlocked.Exchange(ref _ticking, 1) == 1)
        {
            return;
        }

        try
        {
            await _applier.ReloadIfChangedAsync(CancellationToken.None).ConfigureAwait(false);
            _applier.CheckStaleness();
        }
        catch (Exception e)
        {
            ReplicaLog.RefreshFailed(_logger, e, Current.Revision);
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }
}
