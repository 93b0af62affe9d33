namespace Parley.Server.Management.Replication.Transfer;

/// <summary>The master delivering to its own replica store: no HTTPS, the same checks (the applier verifies the bytes).</summary>
public sealed class InProcessReplicaTransport(string fqdn, IReplicaApplier applier, TimeProvider time) : IReplicaTransport
{
    public string Address => "in process";

    public async Task<ReplicaStatusReport> PushAsync(SignedSnapshot snapshot, CancellationToken cancellationToken)
    {
        applier.RecordMasterContact(time.GetUtcNow());
        try
        {
            return await applier.ApplyAsync(snapshot.Bytes, fqdn, cancellationToken).ConfigureAwait(false);
        }
        catch (SnapshotRejectedException e)
        {
            throw new TransferException(TransferFaultKind.SnapshotRejected, e.Message, [fqdn, snapshot.Revision, e.Reason, e.Detail], e);
        }
        catch (ReplicaStoreAccessDeniedException e)
        {
            throw new TransferException(TransferFaultKind.StoreAccessDenied, e.Message, [e.Path, e.Account, e.MissingPermission, $"reported by {fqdn} to the file transfer agent"], e);
        }
    }

    public Task<ReplicaStatusReport> StatusAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        applier.RecordMasterContact(time.GetUtcNow());
        return Task.FromResult(applier.Status);
    }

    public void Dispose()
    {
    }
}
