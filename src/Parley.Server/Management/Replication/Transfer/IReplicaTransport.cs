namespace Parley.Server.Management.Replication.Transfer;

/// <summary>How the file transfer agent reaches one node: HTTPS with mutual TLS, or in process for the master itself.</summary>
public interface IReplicaTransport : IDisposable
{
    /// <summary>Where the node is reached (ip:port, or "in process"), for status and events.</summary>
    string Address { get; }

    /// <summary>Sends the snapshot file; the node verifies and applies it. Throws <see cref="TransferException"/>.</summary>
    Task<ReplicaStatusReport> PushAsync(SignedSnapshot snapshot, CancellationToken cancellationToken);

    /// <summary>Asks the node what it holds. Throws <see cref="TransferException"/>.</summary>
    Task<ReplicaStatusReport> StatusAsync(CancellationToken cancellationToken);
}
