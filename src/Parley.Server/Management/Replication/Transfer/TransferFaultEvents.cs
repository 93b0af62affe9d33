using Parley.Server.Diagnostics;

namespace Parley.Server.Management.Replication.Transfer;

/// <summary>The one table from a transfer fault to the event the master raises for it.</summary>
public static class TransferFaultEvents
{
    public static EventDefinition For(TransferFaultKind kind) => kind switch
    {
        TransferFaultKind.Unreachable => ParleyEvents.Management.ReplicaUnreachable,
        TransferFaultKind.CertificateMismatch => ParleyEvents.Management.ReplicaCertificateMismatch,
        TransferFaultKind.CertificateUntrusted => ParleyEvents.Management.ReplicaCertificateUntrusted,
        TransferFaultKind.SnapshotRejected => ParleyEvents.Management.SnapshotRefusedByReplica,
        TransferFaultKind.SenderRefused => ParleyEvents.Management.SenderRefusedByReplica,
        TransferFaultKind.StoreAccessDenied => ParleyEvents.Management.ReplicaStoreAccessDenied,
        TransferFaultKind.ProtocolError => ParleyEvents.Management.ReplicaTransferFailed,
        _ => throw new InvalidOperationException($"Internal error: no event for transfer fault {kind}."),
    };
}
