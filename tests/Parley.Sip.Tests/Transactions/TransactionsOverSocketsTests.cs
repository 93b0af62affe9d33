using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Sip.Messages;
using Parley.Sip.Transactions;
using Parley.Sip.Transport;

namespace Parley.Sip.Tests.Transactions;

/// <summary>Two nodes, each a transport host with a transaction layer, talking over 127.0.0.1.</summary>
public sealed class TransactionsOverSocketsTests : IAsyncLifetime
{
    private readonly Node _alice = new();
    private readonly Node _bob = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _alice.DisposeAsync();
        await _bob.DisposeAsync();
    }

    [Theory]
    [InlineData(SipTransportKind.Udp)]
    [InlineData(SipTransportKind.Tcp)]
    public async Task A_request_is_answered_through_both_transaction_layers(SipTransportKind transport)
    {
        var request = TestMessages.Outgoing(SipMethods.Message);
        request.Headers.Remove(SipHeaderNames.Route);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var response = await _alice.Layer.SendRequestAsync(request, new SipDestination(transport, _bob.Host.EndPoint(transport)!), ct: cts.Token);

        Assert.Equal(202, response.StatusCode);
        var received = Assert.Single(_bob.User.Requests).Request;
        Assert.Equal(transport.ViaToken(), received.TopVia.Transport);
        Assert.Equal(_alice.Host.EndPoint(transport)!.Port, received.TopVia.Port);
        Assert.Equal("127.0.0.1", received.TopVia.Received);
    }

    [Fact]
    public async Task An_invite_is_answered_100_at_once_and_its_failure_acked_by_the_client_transaction()
    {
        _bob.User.OnRequest = t => t.RespondAsync(SipResponse.CreateFor(t.Request, 486, toTag: "bob"), default);
        var request = TestMessages.Outgoing(SipMethods.Invite);
        request.Headers.Remove(SipHeaderNames.Route);
        var provisional = new List<int>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var response = await _alice.Layer.SendRequestAsync(request, new SipDestination(SipTransportKind.Udp, _bob.Host.EndPoint(SipTransportKind.Udp)!), r => provisional.Add(r.StatusCode), cts.Token);

        Assert.Equal(486, response.StatusCode);
        var invite = Assert.Single(_bob.User.Requests);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (invite.State != TransactionState.Confirmed && invite.State != TransactionState.Terminated)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The server transaction is still {invite.State}: no ACK arrived.");
            await Task.Delay(20);
        }

        Assert.Empty(_bob.User.StrayAcks);
    }

    private sealed class Node : IAsyncDisposable
    {
        public Node()
        {
            Host = new SipTransportHost(
                new SipTransportHostOptions { Udp = new IPEndPoint(IPAddress.Loopback, 0), Tcp = new IPEndPoint(IPAddress.Loopback, 0) },
                TimeProvider.System,
                NullLogger<SipTransportHost>.Instance);
            User.OnRequest = t => t.RespondAsync(SipResponse.CreateFor(t.Request, 202, toTag: "bob"), default);
            Layer = new TransactionLayer(Host, User, SipTimers.Default, TimeProvider.System, NullLogger<TransactionLayer>.Instance);
            Host.Start(Layer);
        }

        public SipTransportHost Host { get; }

        public RecordingUser User { get; } = new();

        public TransactionLayer Layer { get; }

        public ValueTask DisposeAsync() => Host.DisposeAsync();
    }
}
