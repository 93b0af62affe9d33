using System.Diagnostics;

namespace Parley.Interop.Tests.Federation;

/// <summary>
/// A routing node (127.0.0.2, role routing, no users) in front of alice's home node (127.0.0.3) (issue 5 acceptance,
/// routing-node bullet): the peer sends everything to the routing node, which forwards to the home node and
/// record-routes, so responses and in-dialog requests pass through it; the home node sends to the peer directly.
/// </summary>
public sealed class FederatedRoutingNodeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Step = FederationTestBed.Step;

    [Fact]
    public async Task Basic_flows_work_through_a_routing_node_and_replies_pass_through_it()
    {
        KamailioPeer.Require();
        await using var parley = new FederatedParley(withRoutingNode: true);
        await parley.StartAsync();
        var routing = parley.Routing!;
        await using var bob = PeerUser.Create("bob");
        await using var peer = await KamailioPeer.StartAsync(new KamailioPeerOptions("peer", parley.TcpUri, [bob.User]));
        await parley.FederateWithAsync(peer);
        await parley.UseRoutingNodeAsync();
        var agent = bob.StartAgent();
        await bob.RegisterAsync(peer, parley.Logs());
        var aliceAccount = await parley.CreateUserAsync("alice");
        var aliceUser = aliceAccount.Jid[..aliceAccount.Jid.IndexOf('@', StringComparison.Ordinal)];
        XmppAgent? alice = null;
        string Context() => $"{parley.Logs()}\n{peer.Describe()}\n{alice?.Describe()}\n--- bob's user agent ---\n{agent.Log}";
        alice = await parley.LoginAsync(aliceAccount, Context);
        await using var aliceAgent = alice;

        // bob → alice through the routing node (retried while the configuration replicates to it).
        var stopwatch = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            var code = await bob.SendMessageAsync(peer, aliceUser, $"Fed-routing bob to alice {attempt}", Context());
            if (code is 200 or 202)
            {
                await alice.WaitForLineAsync(Step, Context, $"XMPP MESSAGE from={bob.Jid}", $"body=Fed-routing bob to alice {attempt}");
                break;
            }

            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(60), $"bob's MESSAGE through the routing node still got {code} after 60 s.\n{Context()}");
            await Task.Delay(1000);
        }

        // bob watches alice: the 200 is record-routed by the routing node and alice's NOTIFYs come back through it.
        var watch = bob.StartWatching(peer, aliceUser);
        await watch.WaitForLogAsync("subscribed: 20", Step, Context);
        await alice.DoAsync(Context, "presence", show: "away", status: "Fed-routing-away");
        await watch.WaitForLogAsync("basic=open activity=away note=Fed-routing-away", Step, Context);
        RoutingNodePath.AssertSubscriptionRecordRouted(bob, routing, Context);
        RoutingNodePath.AssertNotifyThrough(bob, routing, "Fed-routing-away", Context);
        await RoutingNodePath.AssertRepliesCameFromAsync(peer, routing, "MESSAGE", Context);
        await RoutingNodePath.AssertRepliesCameFromAsync(peer, routing, "SUBSCRIBE", Context);

        // alice → bob: the home node sends to the peer directly (R4.12), not through the routing node.
        await alice.DoAsync(Context, "message", to: bob.Jid, body: "Fed-routing alice to bob");
        await agent.WaitForLogAsync("text=Fed-routing alice to bob", Step, Context);
        RoutingNodePath.AssertSentByTheHomeNode(bob, parley, "Fed-routing alice to bob", Context);

        // alice watches bob: subscribed, and his publication reaches her.
        await alice.DoAsync(Context, "subscribe", to: bob.Jid);
        await alice.WaitForLineAsync(Step, Context, $"XMPP PRESENCE from={bob.Jid} type=subscribed");
        await bob.PublishAsync(peer, PeerState.Busy("Fed-routing-busy"), Context());
        await alice.WaitForLineAsync(Step, Context, $"XMPP PRESENCE from={bob.Jid} type=available show=dnd status=Fed-routing-busy");
        output.WriteLine(string.Join('\n', peer.Lines("PEER-")));
    }
}
