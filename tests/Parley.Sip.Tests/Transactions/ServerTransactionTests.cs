using Parley.Sip.Messages;
using Parley.Sip.Parsing;
using Parley.Sip.Transactions;

namespace Parley.Sip.Tests.Transactions;

public sealed class ServerTransactionTests
{
    private readonly TransactionFixture _f = new();

    [Fact]
    public async Task Invite_is_answered_100_Trying_at_once_and_passed_to_the_user_once()
    {
        await _f.Receive(TestMessages.Received(SipMethods.Invite));

        var trying = Assert.Single(_f.Transport.Responses);
        Assert.Equal(100, trying.StatusCode);
        Assert.Equal("call-1@192.0.2.10", trying.CallId);
        var transaction = Assert.Single(_f.User.Requests);
        Assert.True(transaction.IsInvite);
        Assert.Equal(TransactionState.Proceeding, transaction.State);
    }

    [Fact]
    public async Task Retransmitted_invite_gets_the_last_provisional_again_without_reaching_the_user()
    {
        await _f.Receive(TestMessages.Received(SipMethods.Invite));
        var transaction = _f.User.Requests[0];
        await transaction.RespondAsync(SipResponse.CreateFor(transaction.Request, 180, toTag: "bob"), default);

        await _f.Receive(TestMessages.Received(SipMethods.Invite));

        Assert.Single(_f.User.Requests);
        Assert.Equal([100, 180, 180], _f.Transport.Responses.Select(r => r.StatusCode));
    }

    [Fact]
    public async Task Non_2xx_final_to_invite_over_udp_is_retransmitted_by_timer_G_doubling_to_T2_until_timer_H()
    {
        await _f.Receive(TestMessages.Received(SipMethods.Invite));
        var transaction = _f.User.Requests[0];
        await transaction.RespondAsync(SipResponse.CreateFor(transaction.Request, 486, toTag: "bob"), default);

        _f.Advance(40);

        var times = _f.Transport.TimesOf(m => m is SipResponse { StatusCode: 486 });
        double[] expected = [0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5];
        Assert.Equal(expected.Select(TransactionFixture.Seconds), times);
        Assert.Equal(TransactionState.Terminated, transaction.State);
        Assert.Equal(0, _f.Layer.ActiveTransactions);
        Assert.Equal(0, _f.Time.ActiveTimers);
    }

    [Fact]
    public async Task Ack_stops_retransmission_and_timer_I_absorbs_ack_retransmissions_then_terminates()
    {
        await _f.Receive(TestMessages.Received(SipMethods.Invite));
        var transaction = _f.User.Requests[0];
        await transaction.RespondAsync(SipResponse.CreateFor(transaction.Request, 603, toTag: "bob"), default);
        _f.Advance(0.6); // one retransmission

        await _f.Receive(TestMessages.Received(SipMethods.Ack, cseqMethod: SipMethods.Ack));
        Assert.Equal(TransactionState.Confirmed, transaction.State);
        _f.Advance(2);
        await _f.Receive(TestMessages.Received(SipMethods.Ack, cseqMethod: SipMethods.Ack));

        Assert.Equal(2, _f.Transport.Responses.Count(r => r.StatusCode == 603));
        Assert.Empty(_f.User.StrayAcks);
        _f.Advance(3.1); // T4 = 5 s after the first ACK
        Assert.Equal(TransactionState.Terminated, transaction.State);
        Assert.Equal(0, _f.Layer.ActiveTransactions);
    }

    [Fact]
    public async Task Non_2xx_final_to_invite_over_tcp_is_not_retransmitted_and_ack_terminates_at_once()
    {
        await _f.Receive(TestMessages.Received(SipMethods.Invite, transport: "TCP"), TestMessages.Tcp);
        var transaction = _f.User.Requests[0];
        await transaction.RespondAsync(SipResponse.CreateFor(transaction.Request, 486, toTag: "bob"), default);
        _f.Advance(10);
        Assert.Single(_f.Transport.Responses, r => r.StatusCode == 486);

        await _f.Receive(TestMessages.Received(SipMethods.Ack, transport: "TCP", cseqMethod: SipMethods.Ack), TestMessages.Tcp);

        Assert.Equal(TransactionState.Terminated, transaction.State);
        Assert.Equal(0, _f.Layer.ActiveTransactions);
    }

    [Fact]
    public async Task Timer_H_ends_a_transaction_whose_ack_never_came()
    {
        await _f.Receive(TestMessages.Received(SipMethods.Invite, transport: "TCP"), TestMessages.Tcp);
        var transaction = _f.User.Requests[0];
        await transaction.RespondAsync(SipResponse.CreateFor(transaction.Request, 486, toTag: "bob"), default);

        _f.Advance(31.9);
        Assert.Equal(TransactionState.Completed, transaction.State);
        _f.Advance(0.1);
        Assert.Equal(TransactionState.Terminated, transaction.State);
    }

    [Fact]
    public async Task A_2xx_to_invite_moves_to_accepted_where_retransmitted_invites_are_absorbed_until_timer_L()
    {
        await _f.Receive(TestMessages.Received(SipMethods.Invite));
        var transaction = _f.User.Requests[0];
        var ok = SipResponse.CreateFor(transaction.Request, 200, toTag: "bob");
        await transaction.RespondAsync(ok, default);
        Assert.Equal(TransactionState.Accepted, transaction.State);

        await _f.Receive(TestMessages.Received(SipMethods.Invite));
        await transaction.RespondAsync(ok, default); // the TU's own 2xx retransmission is allowed

        Assert.Single(_f.User.Requests);
        Assert.Equal([100, 200, 200], _f.Transport.Responses.Select(r => r.StatusCode));
        _f.Advance(32);
        Assert.Equal(TransactionState.Terminated, transaction.State);
    }

    [Fact]
    public async Task Ack_for_a_2xx_goes_to_the_user_as_a_stray_ack()
    {
        await _f.Receive(TestMessages.Received(SipMethods.Invite));
        var transaction = _f.User.Requests[0];
        await transaction.RespondAsync(SipResponse.CreateFor(transaction.Request, 200, toTag: "bob"), default);

        // RFC 3261 §13.2.2.4: the ACK for a 2xx is a new transaction with its own branch.
        await _f.Receive(TestMessages.Received(SipMethods.Ack, branch: "z9hG4bK-ack-2xx", cseqMethod: SipMethods.Ack));

        Assert.Single(_f.User.StrayAcks);
    }

    [Fact]
    public async Task Second_final_response_is_refused()
    {
        await _f.Receive(TestMessages.Received(SipMethods.Options));
        var transaction = _f.User.Requests[0];
        await transaction.RespondAsync(SipResponse.CreateFor(transaction.Request, 200, toTag: "bob"), default);

        await Assert.ThrowsAsync<InvalidOperationException>(() => transaction.RespondAsync(SipResponse.CreateFor(transaction.Request, 500, toTag: "bob"), default).AsTask());
    }

    [Fact]
    public async Task Non_invite_over_udp_absorbs_retransmissions_by_resending_the_final_until_timer_J()
    {
        await _f.Receive(TestMessages.Received(SipMethods.Message));
        var transaction = _f.User.Requests[0];
        Assert.Equal(TransactionState.Trying, transaction.State);
        Assert.Empty(_f.Transport.Responses); // no 100 Trying for non-INVITE

        await _f.Receive(TestMessages.Received(SipMethods.Message)); // Trying: absorbed silently
        Assert.Empty(_f.Transport.Responses);

        await transaction.RespondAsync(SipResponse.CreateFor(transaction.Request, 200, toTag: "bob"), default);
        _f.Advance(10);
        await _f.Receive(TestMessages.Received(SipMethods.Message));

        Assert.Equal(2, _f.Transport.Responses.Count);
        Assert.Single(_f.User.Requests);
        _f.Advance(22); // timer J = 64*T1 = 32 s
        Assert.Equal(TransactionState.Terminated, transaction.State);

        await _f.Receive(TestMessages.Received(SipMethods.Message));
        Assert.Equal(2, _f.User.Requests.Count); // a new transaction now
    }

    [Fact]
    public async Task Non_invite_over_tcp_terminates_as_soon_as_the_final_is_sent()
    {
        await _f.Receive(TestMessages.Received(SipMethods.Register, transport: "TCP"), TestMessages.Tcp);
        var transaction = _f.User.Requests[0];

        await transaction.RespondAsync(SipResponse.CreateFor(transaction.Request, 200, toTag: "bob"), default);

        Assert.Equal(TransactionState.Terminated, transaction.State);
        Assert.Equal(0, _f.Layer.ActiveTransactions);
    }

    [Fact]
    public async Task Requests_differing_in_sent_by_are_different_transactions()
    {
        await _f.Receive(TestMessages.Received(SipMethods.Message));
        var other = TestMessages.Received(SipMethods.Message);
        other.Headers.Set(SipHeaderNames.Via, "SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-client-1");

        await _f.Receive(other);

        Assert.Equal(2, _f.User.Requests.Count);
    }

    [Fact]
    public async Task Rfc2543_requests_without_magic_cookie_still_match_their_retransmissions()
    {
        await _f.Receive(TestMessages.Received(SipMethods.Message, branch: "old1"));
        await _f.Receive(TestMessages.Received(SipMethods.Message, branch: "old1"));
        await _f.Receive(TestMessages.Received(SipMethods.Message, branch: "old1", cseq: 2));

        Assert.Equal(2, _f.User.Requests.Count);
    }

    [Fact]
    public async Task An_unanswered_non_invite_is_dropped_when_the_client_has_given_up()
    {
        await _f.Receive(TestMessages.Received(SipMethods.Message));
        var transaction = _f.User.Requests[0];

        _f.Advance(32);

        Assert.Equal(TransactionState.Terminated, transaction.State);
        Assert.Equal(0, _f.Layer.ActiveTransactions);
        await transaction.RespondAsync(SipResponse.CreateFor(transaction.Request, 200, toTag: "late"), default);
        Assert.Empty(_f.Transport.Responses);
    }

    [Fact]
    public async Task An_unanswered_invite_is_answered_408_after_the_proceeding_timeout()
    {
        await _f.Receive(TestMessages.Received(SipMethods.Invite));
        var transaction = _f.User.Requests[0];
        await transaction.RespondAsync(SipResponse.CreateFor(transaction.Request, 180, toTag: "bob"), default);

        _f.Advance(180);
        Assert.Equal(TransactionState.Proceeding, transaction.State);
        _f.Advance(1);

        var timeout = _f.Transport.Responses[^1];
        Assert.Equal(408, timeout.StatusCode);
        Assert.Equal("bob", timeout.To.Tag);
        Assert.Equal(TransactionState.Completed, transaction.State);
    }

    [Fact]
    public async Task A_user_that_throws_gets_its_request_answered_500()
    {
        _f.User.OnRequest = _ => throw new InvalidOperationException("bug");

        await _f.Receive(TestMessages.Received(SipMethods.Message));

        var response = Assert.Single(_f.Transport.Responses);
        Assert.Equal(500, response.StatusCode);
        Assert.NotNull(response.To.Tag);
    }

    [Fact]
    public async Task A_user_that_cannot_parse_a_header_gets_the_request_answered_400()
    {
        _f.User.OnRequest = t => throw new SipParseException(SipRejectionReason.BadHeader, "bad Contact");

        await _f.Receive(TestMessages.Received(SipMethods.Register));

        Assert.Equal(400, Assert.Single(_f.Transport.Responses).StatusCode);
    }

    [Fact]
    public async Task Transport_failure_while_responding_terminates_the_transaction_without_throwing()
    {
        await _f.Receive(TestMessages.Received(SipMethods.Message));
        var transaction = _f.User.Requests[0];
        _f.Transport.Fail = true;

        await transaction.RespondAsync(SipResponse.CreateFor(transaction.Request, 200, toTag: "bob"), default);

        Assert.Equal(TransactionState.Terminated, transaction.State);
        Assert.Equal(0, _f.Layer.ActiveTransactions);
        await transaction.RespondAsync(SipResponse.CreateFor(transaction.Request, 200, toTag: "bob"), default); // no throw
    }
}
