using Microsoft.Extensions.Logging;
using Parley.Server.Diagnostics;
using Parley.Server.Storage;

namespace Parley.Server.Management.Replication.Replica;

/// <summary>
/// The replica agent's local parts wired together: the store, the applier, the settings the node reads and, in
/// file-share mode, the share poller. <see cref="StartAsync"/> loads the held revision before anything serves.
/// </summary>
public sealed class ReplicaAgent : IAsyncDisposable
{
    private int _state; // 0 created, 1 started, 2 disposed

    /// <param name="database">The node's parley.db, for the domain mirror; null = no mirror (tests, tools).</param>
    public ReplicaAgent(ReplicaAgentOptions options, ISnapshotVerifier verifier, IEventLog events, TimeProvider time, ILoggerFactory loggerFactory,
        ParleyDatabase? database)
    {
        Options = options;
        Store = new ReplicaStore(options.Store, events, loggerFactory.CreateLogger<ReplicaStore>());
        var mirror = database is null ? null : new DomainMirror(database, time, loggerFactory.CreateLogger<DomainMirror>());
        Applier = new ReplicaApplier(Store, verifier, options.Applier, events, time, loggerFactory.CreateLogger<ReplicaApplier>(), mirror);
        Settings = new ReplicaDeploymentSettings(Applier, options.Settings, time, loggerFactory.CreateLogger<ReplicaDeploymentSettings>());
        FileShare = options.FileShare is { } share
            ? new FileShareReplicaSource(share, Applier, time, loggerFactory.CreateLogger<FileShareReplicaSource>())
            : null;
    }

    public ReplicaAgentOptions Options { get; }

    public ReplicaStore Store { get; }

    public ReplicaApplier Applier { get; }

    public ReplicaDeploymentSettings Settings { get; }

    public FileShareReplicaSource? FileShare { get; }

    /// <summary>
    /// Loads and re-verifies the held revision (falling back on damage), then starts the periodic check and the
    /// share poller. Throws <see cref="ReplicaStoreAccessDeniedException"/> (event 1034) when the store cannot be read.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("Internal error: ReplicaAgent started twice or after disposal.");
        }

        await Applier.InitializeAsync(cancellationToken).ConfigureAwait(false);
        Settings.Start();
        FileShare?.Start();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }

        if (FileShare is not null)
        {
            await FileShare.DisposeAsync().ConfigureAwait(false);
        }

        await Settings.DisposeAsync().ConfigureAwait(false);
        Applier.Dispose();
    }
}
