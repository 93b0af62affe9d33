namespace Parley.Server.Management.Replication.Transfer;

/// <summary>Why one push or status poll to a node failed. Each kind maps to one event (<see cref="TransferFaultEvents"/>).</summary>
public enum TransferFaultKind
{
    /// <summary>No HTTPS connection: refused, timed out, no route, handshake broken (1017).</summary>
    Unreachable,

    /// <summary>The node's certificate chains to the CA but names another host (1015).</summary>
    CertificateMismatch,

    /// <summary>The node's certificate does not chain to the deployment CA (1021).</summary>
    CertificateUntrusted,

    /// <summary>The node checked the snapshot and refused it (422, 1022).</summary>
    SnapshotRejected,

    /// <summary>The node does not accept this master as sender (403, 1023).</summary>
    SenderRefused,

    /// <summary>The node cannot write its replica store (507; 1034 on the node and here).</summary>
    StoreAccessDenied,

    /// <summary>Anything else the node answered (1026).</summary>
    ProtocolError,
}

/// <summary>A failed transfer, with what the event needs. <see cref="EventArguments"/> follow the event's placeholders.</summary>
public sealed class TransferException(TransferFaultKind kind, string message, object?[] eventArguments, Exception? inner = null) : Exception(message, inner)
{
    public TransferFaultKind Kind { get; } = kind;

    public IReadOnlyList<object?> EventArguments { get; } = eventArguments;
}
