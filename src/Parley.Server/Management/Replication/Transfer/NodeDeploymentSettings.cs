using Parley.Server.Management.Replication.Replica;

namespace Parley.Server.Management.Replication.Transfer;

/// <summary>
/// What the running node's services read: the deployment configuration of the replica it holds
/// (<see cref="ReplicaDeploymentSettings"/>), with <see cref="Changed"/> raised also when the node's own user data
/// moves (a user disabled or removed from the CLI writes a local revision) — session revocation and SIP presence
/// re-check on both, as they did when both lived in one store.
/// </summary>
public sealed class NodeDeploymentSettings : IDeploymentSettings, IDisposable
{
    private readonly ReplicaDeploymentSettings _replica;
    private readonly IDeploymentSettings _local;

    public NodeDeploymentSettings(ReplicaDeploymentSettings replica, IDeploymentSettings local)
    {
        _replica = replica;
        _local = local;
        _replica.Changed += Forward;
        _local.Changed += OnLocalChanged;
    }

    public DeploymentSnapshot Current => _replica.Current;

    public event Action<DeploymentSnapshot>? Changed;

    public async Task<DeploymentSnapshot> RefreshAsync(CancellationToken cancellationToken)
    {
        await _local.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return await _replica.RefreshAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _replica.Changed -= Forward;
        _local.Changed -= OnLocalChanged;
    }

    private void Forward(DeploymentSnapshot snapshot) => Changed?.Invoke(snapshot);

    private void OnLocalChanged(DeploymentSnapshot local) => Changed?.Invoke(_replica.Current);
}
