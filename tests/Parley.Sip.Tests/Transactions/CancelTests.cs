using Parley.Sip.Messages;
using Parley.Sip.Transactions;

namespace Parley.Sip.Tests.Transactions;

public sealed class CancelTests
{
    private readonly TransactionFixture _f = new();

    [Fact]
    public async Task Cancel_of_a_pending_invite_gets_200_tells_the_user_and_answers_the_invite_487()
    {
        await _f.Receive(TestMessages.Received(SipMethods.Invite));
        var invite = _f.User.Requests[0];
        await invite.RespondAsync(SipResponse.CreateFor(invite.Request, 180, toTag: "bob"), default);

        await _f.Receive(TestMessages.Received(SipMethods.Cancel));

        Assert.Same(invite, Assert.Single(_f.User.Cancelled));
        var ok = Assert.Single(_f.Transport.Responses, r => r.CSeq.Method == SipMethods.Cancel);
        Assert.Equal(200, ok.StatusCode);
        Assert.Equal("bob", ok.To.Tag);
        var terminated = Assert.Single(_f.Transport.Responses, r => r.StatusCode == 487);
        Assert.Equal(SipMethods.Invite, terminated.CSeq.Method);
        Assert.Equal("bob", terminated.To.Tag);
        Assert.Single(_f.User.Requests); // CANCEL never reaches OnRequestAsync
        Assert.Equal(TransactionState.Completed, invite.State);
    }

    [Fact]
    public async Task Cancel_after_the_final_response_gets_200_and_changes_nothing()
    {
        await _f.Receive(TestMessages.Received(SipMethods.Invite));
        var invite = _f.User.Requests[0];
        await invite.RespondAsync(SipResponse.CreateFor(invite.Request, 200, toTag: "bob"), default);

        await _f.Receive(TestMessages.Received(SipMethods.Cancel));

        Assert.Empty(_f.User.Cancelled);
        Assert.DoesNotContain(_f.Transport.Responses, r => r.StatusCode == 487);
        Assert.Contains(_f.Transport.Responses, r => r.StatusCode == 200 && r.CSeq.Method == SipMethods.Cancel);
    }

    [Fact]
    public async Task User_answering_the_invite_itself_on_cancel_is_not_answered_twice()
    {
        var layer = new TransactionLayer(_f.Transport, new CancelAnsweringUser(), SipTimers.Default, _f.Time, Microsoft.Extensions.Logging.Abstractions.NullLogger<TransactionLayer>.Instance);
        await layer.OnMessageAsync(TestMessages.Received(SipMethods.Invite), TestMessages.Udp, default);

        await layer.OnMessageAsync(TestMessages.Received(SipMethods.Cancel), TestMessages.Udp, default);

        var terminated = Assert.Single(_f.Transport.Responses, r => r.StatusCode == 487);
        Assert.Equal("mine", terminated.To.Tag);
    }

    [Fact]
    public async Task A_proxy_that_forwards_the_cancel_sends_the_invites_final_response_itself()
    {
        _f.User.CancelHandling = CancelHandling.FinalResponseFollows;
        await _f.Receive(TestMessages.Received(SipMethods.Invite));
        var invite = _f.User.Requests[0];
        await invite.RespondAsync(SipResponse.CreateFor(invite.Request, 180, toTag: "bob"), default);

        await _f.Receive(TestMessages.Received(SipMethods.Cancel));

        Assert.Contains(_f.Transport.Responses, r => r.StatusCode == 200 && r.CSeq.Method == SipMethods.Cancel);
        Assert.DoesNotContain(_f.Transport.Responses, r => r.StatusCode == 487);
        Assert.Equal(TransactionState.Proceeding, invite.State);

        // The next hop's 487 comes back and is relayed.
        await invite.RespondAsync(SipResponse.CreateFor(invite.Request, 487, toTag: "bob"), default);
        Assert.Single(_f.Transport.Responses, r => r.StatusCode == 487);
    }

    [Fact]
    public async Task Cancel_matching_no_invite_gets_481()
    {
        await _f.Receive(TestMessages.Received(SipMethods.Cancel));

        var response = Assert.Single(_f.Transport.Responses);
        Assert.Equal(481, response.StatusCode);
        Assert.Empty(_f.User.Requests);
    }

    [Fact]
    public async Task Retransmitted_cancel_gets_its_200_again()
    {
        await _f.Receive(TestMessages.Received(SipMethods.Invite));
        await _f.Receive(TestMessages.Received(SipMethods.Cancel));
        await _f.Receive(TestMessages.Received(SipMethods.Cancel));

        Assert.Equal(2, _f.Transport.Responses.Count(r => r.CSeq.Method == SipMethods.Cancel && r.StatusCode == 200));
        Assert.Single(_f.Transport.Responses, r => r.StatusCode == 487);
    }

    private sealed class CancelAnsweringUser : ITransactionUser
    {
        public ValueTask OnRequestAsync(ServerTransaction transaction, CancellationToken ct) => ValueTask.CompletedTask;

        public ValueTask OnStrayAckAsync(SipRequest ack, Parley.Sip.Transport.SipSource source, CancellationToken ct) => ValueTask.CompletedTask;

        public async ValueTask<CancelHandling> OnCancelAsync(ServerTransaction cancelled, CancellationToken ct)
        {
            await cancelled.RespondAsync(SipResponse.CreateFor(cancelled.Request, 487, toTag: "mine"), ct);
            return CancelHandling.AnswerRequestTerminated;
        }
    }
}
