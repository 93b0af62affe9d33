using Parley.Server.Diagnostics;
using Parley.Server.Federation.Outbound;
using Parley.Server.Management.Documents;
using Parley.Server.Sip.Core;
using Parley.Sip.Messages;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Tests.Federation.Outbound;

/// <summary>
/// Static route failover over real sockets: the primary next hop is down after a connect failure, a timeout (408 made up
/// by the transaction layer) or a 503; the request goes to the backup at once; OPTIONS probes bring the primary back.
/// </summary>
public sealed class PeerOutboundFailoverTests : IAsyncLifetime
{
    private const string Pattern = ".com.example.*";
    private readonly FederationHarness _harness = new();
    private FakePeer _primary = null!;
    private FakePeer _backup = null!;

    public async Task InitializeAsync()
    {
        await _harness.StartAsync();
        _primary = FakePeer.Start();
        _backup = FakePeer.Start();
    }

    public async Task DisposeAsync()
    {
        await _harness.DisposeAsync();
        await _primary.DisposeAsync();
        await _backup.DisposeAsync();
    }

    [Fact]
    public async Task The_primary_route_takes_requests_while_it_answers()
    {
        var result = await SendAsync(Routes(_primary.Port, _backup.Port));

        Assert.Equal(200, result.Response.StatusCode);
        Assert.Equal(1, result.Route!.Priority);
        await _primary.NextAsync(SipMethods.Message);
        await _backup.ExpectNoneAsync(SipMethods.Message, TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task A_connect_failure_fails_over_to_the_backup_at_once()
    {
        var dead = FakePeer.FreeTcpPort();

        var result = await SendAsync(Routes(dead, _backup.Port));

        Assert.Equal(200, result.Response.StatusCode);
        Assert.Equal(2, result.Route!.Priority);
        await _backup.NextAsync(SipMethods.Message);
        AssertRaised(ParleyEvents.Federation.NextHopDown, $"127.0.0.1:{dead};transport=tcp");
        AssertRaised(ParleyEvents.Federation.FailoverToBackup, Pattern);
    }

    [Fact]
    public async Task A_503_from_the_primary_fails_over_and_marks_it_down()
    {
        _primary.Answer = _ => 503;

        var result = await SendAsync(Routes(_primary.Port, _backup.Port));

        Assert.Equal(200, result.Response.StatusCode);
        Assert.Equal(_backup.Port, result.Route!.Port);
        Assert.True(_harness.Get<PeerOutbound>().IsDown(new NextHop("127.0.0.1", _primary.Port, Parley.Sip.Transport.SipTransportKind.Tcp)));
    }

    [Fact]
    public async Task A_timeout_raises_the_408_event_with_route_and_next_hop_and_fails_over()
    {
        _primary.Answer = _ => null; // never answers: timer F (64·T1 = 3.2 s with the test timers) makes the 408

        var result = await SendAsync(Routes(_primary.Port, _backup.Port));

        Assert.Equal(200, result.Response.StatusCode);
        Assert.Equal(_backup.Port, result.Route!.Port);
        var timeout = AssertRaised(ParleyEvents.Federation.PeerRequestTimeout, Pattern);
        Assert.Equal(SipMethods.Message, timeout.Args[0]);
        Assert.Equal($"127.0.0.1:{_primary.Port};transport=tcp", timeout.Args[2]!.ToString());
    }

    [Fact]
    public async Task While_the_primary_is_down_requests_go_to_the_backup_and_return_once_it_answers_options()
    {
        _primary.Answer = _ => 503;
        var routes = Routes(_primary.Port, _backup.Port);
        await SendAsync(routes);
        await _primary.NextAsync(SipMethods.Message);

        // Down: the next request goes straight to the backup (the primary is not tried first).
        Assert.Equal(_backup.Port, (await SendAsync(routes)).Route!.Port);
        await _primary.NextAsync(SipMethods.Options); // probed meanwhile, still answering 503
        await _primary.ExpectNoneAsync(SipMethods.Message, TimeSpan.FromMilliseconds(200));

        _primary.Answer = _ => 200;
        await WaitAsync(() => _harness.Events.Raised.Any(e => e.Definition == ParleyEvents.Federation.NextHopBack), "the primary coming back");

        Assert.Equal(_primary.Port, (await SendAsync(routes)).Route!.Port);
    }

    [Fact]
    public async Task When_every_route_fails_the_last_failure_is_returned()
    {
        var result = await SendAsync(Routes(FakePeer.FreeTcpPort(), FakePeer.FreeTcpPort()));

        Assert.Equal(503, result.Response.StatusCode);
        Assert.Null(result.Route);
    }

    private static PeerRouteSet Routes(int primaryPort, int backupPort)
        => new(Pattern, [
            new StaticRoute(Pattern, "127.0.0.1", primaryPort, "tcp") { Priority = 1 },
            new StaticRoute(Pattern, "127.0.0.1", backupPort, "tcp") { Priority = 2 },
        ]);

    private Task<PeerSendResult> SendAsync(PeerRouteSet routes)
    {
        var outbound = _harness.Get<SipOutbound>();
        var request = outbound.CreateRequest(SipMethods.Message, new SipUri("sip", "bob", "example.com"),
            SipAddressMapping.ToNameAddress(Jid.Parse("alice@example.com")), SipAddressMapping.ToNameAddress(Jid.Parse("bob@example.com")));
        request.ContentType = "text/plain";
        request.Body = "hello"u8.ToArray();
        return _harness.Get<PeerOutbound>().SendAsync(request, routes, CancellationToken.None);
    }

    private (EventDefinition Definition, object?[] Args) AssertRaised(EventDefinition definition, string argument)
        => Assert.Single(_harness.Events.Raised, e => e.Definition == definition && e.Args.Any(a => a?.ToString() == argument));

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + FakePeer.Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"No {what} within {FakePeer.Timeout.TotalSeconds} s.");
            }

            await Task.Delay(50);
        }
    }
}
