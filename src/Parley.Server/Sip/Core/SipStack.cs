using Parley.Sip.Transactions;
using Parley.Sip.Transport;

namespace Parley.Server.Sip.Core;

/// <summary>
/// The running transport and transaction layer of this node, set by <see cref="SipNode"/> when it starts. Exists
/// because the transaction layer needs the dispatcher, whose handlers send requests through the transaction layer:
/// services resolve this holder and reach the layer only once SIP runs.
/// </summary>
public sealed class SipStack
{
    private TransactionLayer? _transactions;
    private SipTransportHost? _transport;

    /// <summary>The transaction layer; throws before <see cref="SipNode"/> started it (an internal bug).</summary>
    public TransactionLayer Transactions => Volatile.Read(ref _transactions) ?? throw NotStarted();

    /// <summary>The transport host; throws before <see cref="SipNode"/> started it (an internal bug).</summary>
    public SipTransportHost Transport => Volatile.Read(ref _transport) ?? throw NotStarted();

    public bool IsRunning => Volatile.Read(ref _transactions) is not null;

    internal void Attach(SipTransportHost transport, TransactionLayer transactions)
    {
        if (Interlocked.CompareExchange(ref _transport, transport, null) is not null)
        {
            throw new InvalidOperationException("Internal error: the SIP stack was started twice.");
        }

        Volatile.Write(ref _transactions, transactions);
    }

    private static InvalidOperationException NotStarted() => new("Internal error: SIP used before the SIP node started.");
}
