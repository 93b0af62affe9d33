using Parley.Sip.Messages;
using Parley.Sip.Transactions;

namespace Parley.Sip.Tests.Transactions;

/// <summary>Challenges and OPTIONS answers keep no transaction: a flood of unauthenticated requests costs no memory.</summary>
public sealed class StatelessAnswerTests
{
    private readonly TransactionFixture _f = new();

    [Theory]
    [InlineData(401)]
    [InlineData(407)]
    public async Task A_challenged_non_invite_request_leaves_no_transaction_behind(int challenge)
    {
        await _f.Receive(TestMessages.Received(SipMethods.Message));
        var transaction = _f.User.Requests[0];

        await transaction.RespondAsync(SipResponse.CreateFor(transaction.Request, challenge, toTag: "srv"), default);

        Assert.Equal(TransactionState.Terminated, transaction.State);
        Assert.Equal(0, _f.Layer.ActiveTransactions);
        Assert.Equal(0, _f.Time.ActiveTimers);
    }

    [Fact]
    public async Task A_retransmitted_challenged_request_is_answered_again_by_the_user()
    {
        await _f.Receive(TestMessages.Received(SipMethods.Message));
        await _f.User.Requests[0].RespondAsync(SipResponse.CreateFor(_f.User.Requests[0].Request, 407, toTag: "srv"), default);

        await _f.Receive(TestMessages.Received(SipMethods.Message));

        Assert.Equal(2, _f.User.Requests.Count);
    }

    [Fact]
    public async Task An_answered_options_leaves_no_transaction_behind()
    {
        await _f.Receive(TestMessages.Received(SipMethods.Options));
        var transaction = _f.User.Requests[0];

        await transaction.RespondAsync(SipResponse.CreateFor(transaction.Request, 200, toTag: "srv"), default);

        Assert.Equal(0, _f.Layer.ActiveTransactions);
    }

    [Fact]
    public async Task An_accepted_message_over_udp_still_waits_out_timer_J_to_absorb_retransmissions()
    {
        await _f.Receive(TestMessages.Received(SipMethods.Message));
        var transaction = _f.User.Requests[0];
        await transaction.RespondAsync(SipResponse.CreateFor(transaction.Request, 200, toTag: "srv"), default);

        await _f.Receive(TestMessages.Received(SipMethods.Message));

        Assert.Single(_f.User.Requests);
        Assert.Equal(2, _f.Transport.Responses.Count); // the retransmission got the 200 again
        Assert.Equal(200, _f.Transport.Responses[1].StatusCode);
        Assert.Equal(1, _f.Layer.ActiveTransactions); // absorbed by the layer for timer J; the transaction object itself has ended
        Assert.Equal(TransactionState.Terminated, transaction.State);
    }
}
