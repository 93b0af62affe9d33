using System.Diagnostics;

namespace Parley.Interop.Tests.Federation;

/// <summary>
/// Routing between the two sides (issue 5 acceptance): a user on neither side is not looped (basic mode: one trip to
/// the peer, one back, 404, the "loop rejected" event); a peer not in the incoming ACL is challenged and logged, and
/// adding it to the ACL takes effect without a restart; static routes fail over to the backup and come back.
/// </summary>
public sealed class FederatedRoutingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Step = FederationTestBed.Step;

    /// <summary>
    /// How long a message may take to reach bob when the next hop it was sent to has just gone: at worst the
    /// transaction times out (Timer F, 32 s) before Parley marks the hop down and resends to the backup.
    /// </summary>
    private static readonly TimeSpan FailoverWait = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_message_to_a_user_on_neither_side_crosses_once_comes_back_once_and_gets_404(bool routingNode)
    {
        await using var bed = await FederationTestBed.StartAsync(routingNode: routingNode);
        var carol = $"carol-{Guid.NewGuid():N}"[..14];
        var carolJid = $"{carol}@{FederatedParley.Domain}";

        await bed.Alice.DoAsync(bed.Context, "message", to: carolJid, body: "Fed-loop alice to carol");

        var error = await bed.Alice.WaitForLineAsync(Step, () => "alice should get an error for carol, who exists on neither side.\n" + bed.Context(),
            $"XMPP MESSAGE from={carolJid} type=error");
        output.WriteLine(error);
        await bed.Peer.WaitForLineAsync(Step, bed.Context(), "PEER-REPLY 404", "to MESSAGE");
        await Task.Delay(TimeSpan.FromSeconds(3)); // a loop, if any, would show by now
        var fromParley = bed.Peer.Lines("PEER-REQ MESSAGE", $"sip:{carol}@");
        var toParley = bed.Peer.Lines("PEER-TO-PARLEY MESSAGE", $"sip:{carol}@");
        Assert.True(fromParley.Count == 1, $"Parley should send carol's MESSAGE to the peer exactly once; the peer received it {fromParley.Count} times.\n{bed.Context()}");
        Assert.True(toParley.Count == 1, $"the peer should send it back to Parley exactly once; it did {toParley.Count} times.\n{bed.Context()}");
        Assert.Single(bed.Peer.Lines("PEER-REPLY 404", "to MESSAGE"));

        var loop = await bed.Parley.WaitForEventAsync(bed.Parley.Home, Step, bed.Context, "loop");
        Assert.InRange(loop.GetProperty("id").GetInt32(), 3600, 3629);
        output.WriteLine(loop.ToString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_peer_not_in_the_acl_is_challenged_and_logged_and_adding_it_works_without_a_restart(bool routingNode)
    {
        // With a routing node the peer talks to it: it challenges and logs, and forwards once the ACL names the peer.
        await using var bed = await FederationTestBed.StartAsync(federate: false, routingNode: routingNode);
        var front = bed.Parley.Front;
        await bed.Parley.FederationAsync("set", "--enabled", "true");
        await bed.Parley.AddRouteAsync(bed.Peer);

        var code = await bed.Bob.SendMessageAsync(bed.Peer, bed.AliceUser, "Fed-acl before", bed.Context());
        Assert.True(code == 407, $"bob's MESSAGE from an untrusted peer should be challenged (407) by {front.Fqdn}, got {code}.\n{bed.Context()}");
        await RoutingNodePath.AssertRepliesCameFromAsync(bed.Peer, front, "MESSAGE", bed.Context);
        var untrusted = await bed.Parley.WaitForEventAsync(front, Step, bed.Context, "ACL - upstream not trusted - need to authenticate", KamailioPeer.Address);
        output.WriteLine(untrusted.ToString());
        Assert.Empty(bed.Alice.Lines("Fed-acl before"));

        await bed.Parley.FederationAsync("acl", "add", KamailioPeer.Address);
        var stopwatch = Stopwatch.StartNew();
        var attempt = 0;
        while (true)
        {
            attempt++;
            code = await bed.Bob.SendMessageAsync(bed.Peer, bed.AliceUser, $"Fed-acl after {attempt}", bed.Context());
            if (code is 200 or 202)
            {
                break;
            }

            Assert.True(stopwatch.Elapsed < Step, $"after `federation acl add {KamailioPeer.Address}` bob's MESSAGE still got {code} after {Step.TotalSeconds:0} s.\n{bed.Context()}");
            await Task.Delay(1000);
        }

        await bed.Alice.WaitForLineAsync(Step, bed.Context, $"XMPP MESSAGE from={bed.Bob.Jid}", $"body=Fed-acl after {attempt}");
        await RoutingNodePath.AssertRepliesCameFromAsync(bed.Peer, front, "MESSAGE", bed.Context);
        Assert.All(bed.Parley.All, node => Assert.Single(LineWaiter.Matching(node.Output, "--- starting"))); // no restart was needed
    }

    /// <summary>With a routing node configured too: alice's home node sends to the peer directly (R4.12), so its routes fail over alike.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Traffic_moves_to_the_backup_route_when_the_primary_stops_and_returns_when_it_is_back(bool routingNode)
    {
        await using var bed = await FederationTestBed.StartAsync(routingNode: routingNode);
        await using var backup = await KamailioPeer.StartAsync(new KamailioPeerOptions("backup", bed.Parley.TcpUri, [bed.Bob.User]));
        await bed.Bob.RegisterAsync(backup, bed.Context());
        await bed.Parley.AddRouteAsync(backup, priority: 2);
        var primary = bed.Peer;
        string Context() => $"{bed.Context()}\n{backup.Describe()}";

        await SendAndExpectAsync(bed, primary, "Fed-failover 1 via the primary", Context, Step);

        await primary.StopAsync();
        await SendAndExpectAsync(bed, backup, "Fed-failover 2 via the backup", Context, FailoverWait);
        var failover = await bed.Parley.WaitForEventAsync(bed.Parley.Home, Step, Context, "backup");
        output.WriteLine(failover.ToString());

        await primary.StartAgainAsync();
        await bed.Bob.RegisterAsync(primary, Context()); // the restarted peer has no bindings
        var stopwatch = Stopwatch.StartNew();
        for (var attempt = 3; ; attempt++)
        {
            var text = $"Fed-failover {attempt} after the primary is back";
            var before = primary.Lines("PEER-LOCAL MESSAGE").Count;
            await bed.Alice.DoAsync(Context, "message", to: bed.Bob.Jid, body: text);
            await bed.BobAgent.WaitForLogAsync($"text={text}", FailoverWait, Context);
            if (primary.Lines("PEER-LOCAL MESSAGE").Count > before)
            {
                output.WriteLine($"traffic back on the primary after {stopwatch.Elapsed.TotalSeconds:0} s ({attempt - 2} messages)");
                break;
            }

            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(90), $"traffic did not return to the primary within 90 s of its restart.\n{Context()}");
            await Task.Delay(2000);
        }
    }

    /// <summary>alice → bob; bob's agent gets it, relayed by <paramref name="expected"/> (its PEER-LOCAL MESSAGE count grows).</summary>
    private static async Task SendAndExpectAsync(FederationTestBed bed, KamailioPeer expected, string text, Func<string> context, TimeSpan within)
    {
        var before = expected.Lines("PEER-LOCAL MESSAGE").Count;
        await bed.Alice.DoAsync(context, "message", to: bed.Bob.Jid, body: text);
        await bed.BobAgent.WaitForLogAsync($"text={text}", within, context);
        // Kamailio's log is read from its stderr pipe, which may trail sipp's by a moment.
        var stopwatch = Stopwatch.StartNew();
        while (expected.Lines("PEER-LOCAL MESSAGE").Count <= before && stopwatch.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(100);
        }

        Assert.True(expected.Lines("PEER-LOCAL MESSAGE").Count > before, $"'{text}' should have gone through kamailio {expected.Name}.\n{context()}");
        RoutingNodePath.AssertSentByTheHomeNode(bed.Bob, bed.Parley, text, context);
    }
}
