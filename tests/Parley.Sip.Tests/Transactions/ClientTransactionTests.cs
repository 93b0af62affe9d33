using Parley.Sip.Messages;
using Parley.Sip.Transactions;
using Parley.Sip.Transport;

namespace Parley.Sip.Tests.Transactions;

public sealed class ClientTransactionTests
{
    private readonly TransactionFixture _f = new();

    [Fact]
    public async Task Request_gets_a_top_via_with_a_fresh_branch_and_rport()
    {
        var first = TestMessages.Outgoing(SipMethods.Options);
        var second = TestMessages.Outgoing(SipMethods.Options);
        _ = _f.Layer.SendRequestAsync(first, TestMessages.UdpPeer);
        _ = _f.Layer.SendRequestAsync(second, TestMessages.UdpPeer);

        var via = first.TopVia;
        Assert.Equal("UDP", via.Transport);
        Assert.Equal("proxy.example.net", via.Host);
        Assert.Equal(5060, via.Port);
        Assert.True(via.HasMagicCookie);
        Assert.True(via.HasRPort);
        Assert.NotEqual(via.Branch, second.TopVia.Branch);
        Assert.Equal(2, _f.Layer.ActiveTransactions);
    }

    [Fact]
    public async Task Non_invite_over_udp_is_retransmitted_by_timer_E_doubling_to_T2_and_timer_F_synthesizes_408()
    {
        var request = TestMessages.Outgoing(SipMethods.Message);
        var pending = _f.Layer.SendRequestAsync(request, TestMessages.UdpPeer);

        _f.Advance(31.9);
        Assert.False(pending.IsCompleted);
        _f.Advance(0.1);

        var response = await pending;
        Assert.Equal(408, response.StatusCode);
        Assert.True(response.IsSynthesized);
        Assert.Equal(request.TopVia.Branch, response.TopVia.Branch);
        double[] expected = [0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5];
        Assert.Equal(expected.Select(TransactionFixture.Seconds), _f.Transport.TimesOf(m => m is SipRequest));
        Assert.Equal(0, _f.Layer.ActiveTransactions);
        Assert.Equal(0, _f.Time.ActiveTimers);
    }

    [Fact]
    public async Task Non_invite_retransmits_every_T2_once_a_provisional_arrived()
    {
        var request = TestMessages.Outgoing(SipMethods.Message);
        var provisional = new List<int>();
        var pending = _f.Layer.SendRequestAsync(request, TestMessages.UdpPeer, r => provisional.Add(r.StatusCode));
        _f.Advance(0.6); // one retransmission at 0.5 s

        await _f.Receive(SipResponse.CreateFor(request, 100));
        _f.Advance(8.5);

        Assert.Equal([100], provisional);
        double[] expected = [0, 0.5, 1.5, 5.5]; // the timer armed at 0.5 s (1 s) fires, then every T2
        Assert.Equal(expected.Select(TransactionFixture.Seconds), _f.Transport.TimesOf(m => m is SipRequest));
        Assert.False(pending.IsCompleted);
    }

    [Fact]
    public async Task Final_response_completes_stops_retransmissions_and_timer_K_discards_retransmitted_finals_for_T4()
    {
        var request = TestMessages.Outgoing(SipMethods.Message);
        var pending = _f.Layer.SendRequestAsync(request, TestMessages.UdpPeer);
        var ok = SipResponse.CreateFor(request, 200, toTag: "carol");

        await _f.Receive(ok);
        var response = await pending;
        await _f.Receive(ok);
        _f.Advance(4.9);
        await _f.Receive(ok);

        Assert.Same(ok, response);
        Assert.Single(_f.Transport.Requests);
        Assert.Equal(2, _f.Log.Count(LogEvents.RetransmittedFinal)); // discarded, as the Completed state would
        Assert.Equal(0, _f.Log.Count(LogEvents.StrayResponse));
        Assert.Equal(1, _f.Layer.ActiveTransactions);
        _f.Advance(0.1); // T4
        Assert.Equal(0, _f.Layer.ActiveTransactions);

        await _f.Receive(ok);
        Assert.Equal(1, _f.Log.Count(LogEvents.StrayResponse)); // timer K is over: a stray now
        Assert.Equal(2, _f.Log.Count(LogEvents.RetransmittedFinal));
        Assert.Empty(_f.User.StrayResponses);
    }

    [Fact]
    public async Task A_completed_non_invite_over_udp_ends_at_once_and_only_its_own_retransmitted_finals_are_discarded()
    {
        var request = TestMessages.Outgoing(SipMethods.Message);
        var other = TestMessages.Outgoing(SipMethods.Message);
        var pending = _f.Layer.SendRequestAsync(request, TestMessages.UdpPeer);
        _ = _f.Layer.SendRequestAsync(other, TestMessages.UdpPeer);
        await _f.Receive(SipResponse.CreateFor(request, 202, toTag: "carol"));

        Assert.Equal(202, (await pending).StatusCode);
        Assert.Equal(2, _f.Layer.ActiveTransactions); // the other transaction, and the first one's key for timer K

        var unrelated = SipResponse.CreateFor(TestMessages.Outgoing(SipMethods.Message), 200, toTag: "x");
        unrelated.Headers.AddFirst(SipHeaderNames.Via, "SIP/2.0/UDP proxy.example.net:5060;branch=z9hG4bK-never-sent");
        await _f.Receive(unrelated);
        await _f.Receive(SipResponse.CreateFor(request, 500, toTag: "carol"));

        Assert.Equal(1, _f.Log.Count(LogEvents.StrayResponse));
        Assert.Equal(1, _f.Log.Count(LogEvents.RetransmittedFinal));
        Assert.Equal(3, _f.Time.ActiveTimers); // the other transaction's timers E and F, and the sweep: none for the first
    }

    [Fact]
    public async Task Over_tcp_nothing_is_retransmitted_but_timer_F_still_fires()
    {
        var pending = _f.Layer.SendRequestAsync(TestMessages.Outgoing(SipMethods.Subscribe), TestMessages.TcpPeer);

        _f.Advance(32);

        Assert.Equal(408, (await pending).StatusCode);
        Assert.Single(_f.Transport.Requests);
        Assert.Equal("TCP", _f.Transport.Requests[0].TopVia.Transport);
    }

    [Fact]
    public async Task Transport_error_synthesizes_503()
    {
        _f.Transport.Fail = true;

        var response = await _f.Layer.SendRequestAsync(TestMessages.Outgoing(SipMethods.Message), TestMessages.TcpPeer);

        Assert.Equal(503, response.StatusCode);
        Assert.True(response.IsSynthesized);
        Assert.IsType<SipTransportException>(response.TransportFailure); // the cause, for whoever reports it
        Assert.Equal(0, _f.Layer.ActiveTransactions);
    }

    [Fact]
    public async Task A_received_final_response_is_not_marked_synthesized()
    {
        var request = TestMessages.Outgoing(SipMethods.Message);
        var pending = _f.Layer.SendRequestAsync(request, TestMessages.UdpPeer);

        await _f.Receive(SipResponse.CreateFor(request, 408, toTag: "peer"));

        var response = await pending;
        Assert.Equal(408, response.StatusCode);
        Assert.False(response.IsSynthesized);
    }

    [Fact]
    public async Task Invite_over_udp_is_retransmitted_by_timer_A_doubling_without_cap_until_timer_B_synthesizes_408()
    {
        var pending = _f.Layer.SendRequestAsync(TestMessages.Outgoing(SipMethods.Invite), TestMessages.UdpPeer);

        _f.Advance(32);

        Assert.Equal(408, (await pending).StatusCode);
        double[] expected = [0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5];
        Assert.Equal(expected.Select(TransactionFixture.Seconds), _f.Transport.TimesOf(m => m is SipRequest));
    }

    [Fact]
    public async Task Invite_provisional_stops_retransmissions_and_timer_B()
    {
        var request = TestMessages.Outgoing(SipMethods.Invite);
        var pending = _f.Layer.SendRequestAsync(request, TestMessages.UdpPeer);
        await _f.Receive(SipResponse.CreateFor(request, 180, toTag: "carol"));

        _f.Advance(60);

        Assert.False(pending.IsCompleted);
        Assert.Single(_f.Transport.Requests);
        _f.Advance(125); // the proceeding timeout (just over 3 minutes) ends it
        Assert.Equal(408, (await pending).StatusCode);
    }

    [Fact]
    public async Task Invite_failure_is_acked_by_the_transaction_and_a_retransmitted_final_is_acked_again()
    {
        var request = TestMessages.Outgoing(SipMethods.Invite);
        var pending = _f.Layer.SendRequestAsync(request, TestMessages.UdpPeer);
        var busy = SipResponse.CreateFor(request, 486, toTag: "carol");

        await _f.Receive(busy);
        Assert.Equal(486, (await pending).StatusCode);
        await _f.Receive(busy);

        var acks = _f.Transport.Requests.Where(r => r.Method == SipMethods.Ack).ToArray();
        Assert.Equal(2, acks.Length);
        var ack = acks[0];
        Assert.Equal(request.RequestUri, ack.RequestUri);
        Assert.Equal(request.TopVia.Branch, ack.TopVia.Branch);
        Assert.Single(ack.Vias);
        Assert.Equal(new CSeqHeader(request.CSeq.Number, SipMethods.Ack), ack.CSeq);
        Assert.Equal("carol", ack.To.Tag);
        Assert.Equal("ours", ack.From.Tag);
        Assert.Equal(request.CallId, ack.CallId);
        Assert.Equal("<sip:edge.example.org;lr>", ack.Headers[SipHeaderNames.Route]);

        _f.Advance(32); // timer D
        Assert.Equal(0, _f.Layer.ActiveTransactions);
    }

    [Fact]
    public async Task Invite_2xx_completes_and_later_2xx_retransmissions_go_to_the_user_to_ack()
    {
        var request = TestMessages.Outgoing(SipMethods.Invite);
        var pending = _f.Layer.SendRequestAsync(request, TestMessages.UdpPeer);
        var ok = SipResponse.CreateFor(request, 200, toTag: "carol");

        await _f.Receive(ok);
        Assert.Same(ok, await pending);
        await _f.Receive(ok);
        _f.Advance(32); // timer M
        await _f.Receive(ok);

        Assert.Equal(2, _f.User.StrayResponses.Count);
        Assert.DoesNotContain(_f.Transport.Requests, r => r.Method == SipMethods.Ack); // the 2xx ACK is the dialog's
        Assert.Equal(0, _f.Layer.ActiveTransactions);
    }

    [Fact]
    public async Task Responses_for_another_method_with_the_same_branch_do_not_match()
    {
        var request = TestMessages.Outgoing(SipMethods.Invite);
        var pending = _f.Layer.SendRequestAsync(request, TestMessages.UdpPeer);
        var cancelResponse = SipResponse.CreateFor(request, 200, toTag: "carol");
        cancelResponse.CSeq = new CSeqHeader(request.CSeq.Number, SipMethods.Cancel);

        await _f.Receive(cancelResponse);

        Assert.False(pending.IsCompleted);
    }

    [Fact]
    public async Task Cancel_built_for_an_invite_shares_its_branch_and_runs_its_own_transaction()
    {
        var invite = TestMessages.Outgoing(SipMethods.Invite);
        var inviting = _f.Layer.SendRequestAsync(invite, TestMessages.UdpPeer);
        var cancel = CancelRequest.For(invite);

        var cancelling = _f.Layer.SendRequestAsync(cancel, TestMessages.UdpPeer);
        await _f.Receive(SipResponse.CreateFor(cancel, 200, toTag: "carol"));
        await _f.Receive(SipResponse.CreateFor(invite, 487, toTag: "carol"));

        Assert.Equal(invite.TopVia.Branch, cancel.TopVia.Branch);
        Assert.Single(cancel.Vias);
        Assert.Equal(200, (await cancelling).StatusCode);
        Assert.Equal(487, (await inviting).StatusCode);
    }

    [Fact]
    public async Task Cancelling_the_token_abandons_the_transaction()
    {
        using var cts = new CancellationTokenSource();
        var pending = _f.Layer.SendRequestAsync(TestMessages.Outgoing(SipMethods.Message), TestMessages.UdpPeer, ct: cts.Token);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        Assert.Equal(0, _f.Layer.ActiveTransactions);
        _f.Advance(5);
        Assert.Single(_f.Transport.Requests);
    }

    [Fact]
    public async Task Stray_non_2xx_responses_are_dropped()
    {
        var request = TestMessages.Outgoing(SipMethods.Message);
        request.Headers.AddFirst(SipHeaderNames.Via, "SIP/2.0/UDP proxy.example.net;branch=z9hG4bK-unknown");

        await _f.Receive(SipResponse.CreateFor(request, 404, toTag: "x"));

        Assert.Empty(_f.User.StrayResponses);
        Assert.Empty(_f.Transport.All);
    }

    [Fact]
    public async Task Ack_cannot_be_sent_as_a_transaction()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _f.Layer.SendRequestAsync(TestMessages.Outgoing(SipMethods.Ack), TestMessages.UdpPeer));
    }

    [Fact]
    public async Task Stateless_send_adds_a_via_only_when_there_is_none()
    {
        var ack = TestMessages.Outgoing(SipMethods.Ack);
        await _f.Layer.SendStatelessAsync(ack, TestMessages.UdpPeer, default);
        var forwarded = TestMessages.Received(SipMethods.Message);
        await _f.Layer.SendStatelessAsync(forwarded, TestMessages.UdpPeer, default);

        Assert.Single(ack.Vias);
        Assert.Equal("proxy.example.net", ack.TopVia.Host);
        Assert.Equal("192.0.2.10", Assert.Single(forwarded.Vias).Host);
        Assert.Equal(0, _f.Layer.ActiveTransactions);
    }
}
