using System.Net;
using Parley.Sip.Messages;
using Parley.Sip.Parsing;
using Parley.Sip.Transactions;
using Parley.Sip.Transport;

namespace Parley.Sip.Tests.Transactions;

/// <summary>Timer J through the layer: retransmitted requests of completed non-INVITEs over UDP get the same answer.</summary>
public sealed class TimerJAbsorptionTests
{
    private readonly TransactionFixture _f = new();

    [Fact]
    public async Task A_retransmission_within_64_T1_gets_the_identical_bytes_at_its_own_source_and_never_reaches_the_user()
    {
        await _f.Receive(TestMessages.Received(SipMethods.Message));
        var transaction = Assert.Single(_f.User.Requests);
        var ok = SipResponse.CreateFor(transaction.Request, 200, toTag: "bob");
        ok.Headers.Add(SipHeaderNames.ContentType, "text/plain");
        ok.Body = "delivered"u8.ToArray();
        await transaction.RespondAsync(ok, default);

        // The same client behind a NAT that rebound its port: the answer goes where the retransmission came from.
        var rebound = new SipSource(SipTransportKind.Udp, IPEndPoint.Parse("192.0.2.10:5070"), IPEndPoint.Parse("192.0.2.1:5060"));
        _f.Advance(31.9);
        await _f.Receive(TestMessages.Received(SipMethods.Message), rebound);

        Assert.Single(_f.User.Requests);
        var sent = _f.Transport.All;
        Assert.Equal(2, sent.Count);
        Assert.Equal(SipMessageWriter.ToBytes(ok), SipMessageWriter.ToBytes(sent[1].Message));
        Assert.Same(rebound, sent[1].Target);
        Assert.Equal(1, _f.Layer.ActiveTransactions);
    }

    [Fact]
    public async Task After_64_T1_and_a_sweep_period_a_retransmission_is_a_new_request()
    {
        await _f.Receive(TestMessages.Received(SipMethods.Message));
        var transaction = _f.User.Requests[0];
        await transaction.RespondAsync(SipResponse.CreateFor(transaction.Request, 200, toTag: "bob"), default);

        _f.Advance(32 + 0.25); // timer J, then at most one sweep period (T1/2)
        Assert.Equal(0, _f.Layer.ActiveTransactions);
        await _f.Receive(TestMessages.Received(SipMethods.Message));

        Assert.Equal(2, _f.User.Requests.Count);
        Assert.Single(_f.Transport.Responses);
    }

    [Fact]
    public async Task A_transport_failure_sending_the_final_stops_absorption()
    {
        await _f.Receive(TestMessages.Received(SipMethods.Message));
        var transaction = _f.User.Requests[0];
        _f.Transport.Fail = true;
        await transaction.RespondAsync(SipResponse.CreateFor(transaction.Request, 200, toTag: "bob"), default);
        _f.Transport.Fail = false;

        await _f.Receive(TestMessages.Received(SipMethods.Message));

        Assert.Equal(2, _f.User.Requests.Count); // §17.2.4: the transaction is over, timer J included
        Assert.Empty(_f.Transport.Responses);
    }

    [Fact]
    public async Task Each_completed_transaction_answers_its_own_retransmissions()
    {
        string[] branches = ["z9hG4bK-a", "z9hG4bK-b", "z9hG4bK-c"];
        int[] statuses = [200, 202, 486];
        for (var i = 0; i < branches.Length; i++)
        {
            await _f.Receive(TestMessages.Received(SipMethods.Message, branch: branches[i]));
            var transaction = _f.User.Requests[i];
            await transaction.RespondAsync(SipResponse.CreateFor(transaction.Request, statuses[i], toTag: "bob"), default);
        }

        for (var i = branches.Length - 1; i >= 0; i--)
        {
            await _f.Receive(TestMessages.Received(SipMethods.Message, branch: branches[i]));
            var resent = _f.Transport.Responses[^1];
            Assert.Equal(statuses[i], resent.StatusCode);
            Assert.Equal(branches[i], resent.TopVia.Branch);
        }

        Assert.Equal(3, _f.User.Requests.Count);
        Assert.Equal(3, _f.Layer.ActiveTransactions);
    }
}
