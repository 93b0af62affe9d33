using Parley.Sip.Messages;
using Parley.Sip.Transport;

namespace Parley.Sip.Transactions;

/// <summary>The layer above transactions (UAS core, proxy core): what it is told about.</summary>
public interface ITransactionUser
{
    /// <summary>
    /// A new request (never an ACK for a non-2xx, a CANCEL or a retransmission). Respond through the transaction, now
    /// or later; this is awaited by the transport's read loop, so it must not wait for remote parties.
    /// </summary>
    ValueTask OnRequestAsync(ServerTransaction transaction, CancellationToken ct);

    /// <summary>An ACK that matched no transaction: the ACK for a 2xx, which belongs to the dialog (RFC 3261 §13.3.1.4).</summary>
    ValueTask OnStrayAckAsync(SipRequest ack, SipSource source, CancellationToken ct);

    /// <summary>
    /// A CANCEL matched this INVITE, which has no final response yet. The CANCEL itself was answered 200; when this
    /// returns <see cref="CancelHandling.AnswerRequestTerminated"/> and the INVITE still has no final response, the layer
    /// answers it 487 (RFC 3261 §9.2); a proxy that forwarded the CANCEL returns <see cref="CancelHandling.FinalResponseFollows"/>.
    /// </summary>
    ValueTask<CancelHandling> OnCancelAsync(ServerTransaction cancelled, CancellationToken ct);

    /// <summary>
    /// A 2xx to an INVITE that matched no pending request: a retransmission (or a forked second 2xx) that the UAC core
    /// must ACK again (RFC 3261 §13.2.2.4). Ignored unless implemented.
    /// </summary>
    ValueTask OnStrayResponseAsync(SipResponse response, SipSource source, CancellationToken ct) => ValueTask.CompletedTask;
}
