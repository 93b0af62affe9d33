namespace Parley.Interop.Tests.Federation;

/// <summary>
/// A restart of Parley (issue 5 acceptance, restart bullet; seed R2.2 is what Parley must do better): the peer's
/// subscriptions to Parley users are restored and each gets a NOTIFY at once, so bob sees alice's presence again
/// without a new SUBSCRIBE from the peer; Parley re-establishes its own subscription to bob for alice. With a routing
/// node (routing-node bullet) the same holds when alice's home node restarts, the NOTIFYs still passing through the
/// routing node, and a restart of the routing node itself does not lose the dialog it record-routed.
/// </summary>
public sealed class FederatedRestartTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Step = FederationTestBed.Step;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task After_a_restart_of_parley_the_peer_user_is_notified_without_subscribing_again(bool routingNode)
    {
        await using var bed = await FederationTestBed.StartAsync(routingNode: routingNode);
        var watch = bed.Bob.StartWatching(bed.Peer, bed.AliceUser);
        string Context() => $"{bed.Context()}\n{watch.Describe()}";
        await watch.WaitForLogAsync("NOTIFY state=active basic=open", Step, Context);
        await bed.Alice.DoAsync(Context, "subscribe", to: bed.Bob.Jid);
        await bed.Alice.WaitForLineAsync(Step, Context, $"XMPP PRESENCE from={bed.Bob.Jid} type=subscribed");
        var subscribesFromBob = bed.Peer.Calls("PEER-TO-PARLEY SUBSCRIBE", $"sip:{bed.AliceUser}@");
        var subscribesForBob = bed.Peer.Lines("PEER-PRESENCE SUBSCRIBE", $"sip:{bed.Bob.User}@").Count;
        var notifies = LineWaiter.Matching(watch.Log, "NOTIFY state=active").Count;

        await bed.Parley.Home.KillAsync();
        await bed.Parley.Home.StartAsync();
        output.WriteLine($"alice's home node {bed.Parley.Home.Fqdn} restarted (SIGKILL, start on the same data and ports)");

        // The restored subscription is notified at once (alice is offline now: her connection went with the process).
        var line = await LineWaiter.WaitForNextAsync(() => watch.Log, notifies, Step, "bob's NOTIFY after Parley restarted", Context, "NOTIFY state=active");
        output.WriteLine($"after the restart: {line}");

        await bed.LoginAliceAsync();
        await bed.Alice.DoAsync(Context, "presence", show: "away", status: "Fed-after-restart");
        await watch.WaitForLogAsync("basic=open activity=away note=Fed-after-restart", Step, Context);
        AssertNoNewSubscribeFromBob(bed, subscribesFromBob, Context);
        AssertEveryNotifyCameThroughTheRoutingNode(bed, Context);
        Assert.True(
            LineWaiter.Matching(bed.Parley.Home.Output, "3507").Count == 0,
            $"after the restart the NOTIFY should go by the route set or bob's Contact at once, not first to the dead connection's port (event 3507).\n{Context()}");

        // Parley's own subscription for alice to bob is re-established (a new SUBSCRIBE at once) and carries his state.
        await LineWaiter.WaitForNextAsync(() => bed.Peer.Output, subscribesForBob, Step, "Parley's new SUBSCRIBE to bob after its restart", Context,
            "PEER-PRESENCE SUBSCRIBE", $"sip:{bed.Bob.User}@");
        await bed.Bob.PublishAsync(bed.Peer, PeerState.Away("Fed-bob-after-restart"), Context());
        await bed.Alice.WaitForLineAsync(Step, Context, $"XMPP PRESENCE from={bed.Bob.Jid} type=available show=away status=Fed-bob-after-restart");
    }

    [Fact]
    public async Task After_a_restart_of_the_routing_node_the_peer_user_is_still_notified_through_it()
    {
        await using var bed = await FederationTestBed.StartAsync(routingNode: true);
        var routing = bed.Parley.Routing!;
        var watch = bed.Bob.StartWatching(bed.Peer, bed.AliceUser);
        string Context() => $"{bed.Context()}\n{watch.Describe()}";
        await watch.WaitForLogAsync("NOTIFY state=active basic=open", Step, Context);
        await bed.Alice.DoAsync(Context, "presence", show: "away", status: "Fed-before-routing-restart");
        await watch.WaitForLogAsync("note=Fed-before-routing-restart", Step, Context);
        var subscribesFromBob = bed.Peer.Calls("PEER-TO-PARLEY SUBSCRIBE", $"sip:{bed.AliceUser}@");

        await routing.KillAsync();
        await routing.StartAsync();
        output.WriteLine($"routing node {routing.Fqdn} restarted (SIGKILL, start on the same data and ports)");

        // The dialog state lives in its ends (the routing node only record-routed it): alice's next change reaches bob
        // through the restarted routing node, in the same subscription.
        await bed.Alice.DoAsync(Context, "presence", show: "dnd", status: "Fed-after-routing-restart");
        await watch.WaitForLogAsync("basic=open activity=busy note=Fed-after-routing-restart", Step, Context);
        RoutingNodePath.AssertNotifyThrough(bed.Bob, routing, "Fed-after-routing-restart", Context);
        AssertNoNewSubscribeFromBob(bed, subscribesFromBob, Context);
        Assert.Equal(2, LineWaiter.Matching(routing.Output, "--- starting").Count);
    }

    private static void AssertNoNewSubscribeFromBob(FederationTestBed bed, int before, Func<string> context) =>
        Assert.True(
            bed.Peer.Calls("PEER-TO-PARLEY SUBSCRIBE", $"sip:{bed.AliceUser}@") == before,
            $"bob's user agent never subscribed again, so the peer should not have forwarded another SUBSCRIBE.\n{context()}");

    /// <summary>With a routing node, each NOTIFY bob got (before and after the restart) has a Via of it.</summary>
    private static void AssertEveryNotifyCameThroughTheRoutingNode(FederationTestBed bed, Func<string> context)
    {
        if (bed.Parley.Routing is not { } routing)
        {
            return;
        }

        var notifies = RoutingNodePath.Notifies(bed.Bob);
        Assert.True(notifies.Count >= 3, $"bob's trace should hold the NOTIFYs before and after the restart (it has {notifies.Count}).\n{bed.Bob.WatchTrace}\n{context()}");
        Assert.True(
            notifies.All(m => RoutingNodePath.CameThrough(m, routing)),
            $"every NOTIFY should reach bob through the routing node ({routing.Address}), including the ones after the home node restarted.\n{bed.Bob.WatchTrace}\n{context()}");
    }
}
