using Parley.Sip.Messages;
using Parley.Sip.Transactions;
using Parley.Sip.Transport;

namespace Parley.Sip.Tests.Transactions;

/// <summary>A transaction user that records what it is told and answers as the test says.</summary>
public sealed class RecordingUser : ITransactionUser
{
    public List<ServerTransaction> Requests { get; } = [];

    public List<SipRequest> StrayAcks { get; } = [];

    public List<SipResponse> StrayResponses { get; } = [];

    public List<ServerTransaction> Cancelled { get; } = [];

    /// <summary>Runs for each new request; by default nothing (the test responds later).</summary>
    public Func<ServerTransaction, ValueTask> OnRequest { get; set; } = _ => ValueTask.CompletedTask;

    public async ValueTask OnRequestAsync(ServerTransaction transaction, CancellationToken ct)
    {
        Requests.Add(transaction);
        await OnRequest(transaction);
    }

    public ValueTask OnStrayAckAsync(SipRequest ack, SipSource source, CancellationToken ct)
    {
        StrayAcks.Add(ack);
        return ValueTask.CompletedTask;
    }

    /// <summary>What <see cref="OnCancelAsync"/> answers: by default the layer sends the 487.</summary>
    public CancelHandling CancelHandling { get; set; } = CancelHandling.AnswerRequestTerminated;

    public ValueTask<CancelHandling> OnCancelAsync(ServerTransaction cancelled, CancellationToken ct)
    {
        Cancelled.Add(cancelled);
        return ValueTask.FromResult(CancelHandling);
    }

    public ValueTask OnStrayResponseAsync(SipResponse response, SipSource source, CancellationToken ct)
    {
        StrayResponses.Add(response);
        return ValueTask.CompletedTask;
    }
}
