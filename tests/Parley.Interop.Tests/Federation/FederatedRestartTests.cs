namespace Parley.Interop.Tests.Federation;

/// <summary>
/// A restart of Parley (issue 5 acceptance, restart bullet; seed R2.2 is what Parley must do better): the peer's
/// subscriptions to Parley users are restored and each gets a NOTIFY at once, so bob sees alice's presence again
/// without a new SUBSCRIBE from the peer; Parley re-establishes its own subscription to bob for alice.
/// </summary>
public sealed class FederatedRestartTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Step = FederationTestBed.Step;

    [Fact]
    public async Task After_a_restart_of_parley_the_peer_user_is_notified_without_subscribing_again()
    {
        await using var bed = await FederationTestBed.StartAsync();
        var watch = bed.Bob.StartWatching(bed.Peer, bed.AliceUser);
        string Context() => $"{bed.Context()}\n{watch.Describe()}";
        await watch.WaitForLogAsync("NOTIFY state=active basic=open", Step, Context);
        await bed.Alice.DoAsync(Context, "subscribe", to: bed.Bob.Jid);
        await bed.Alice.WaitForLineAsync(Step, Context, $"XMPP PRESENCE from={bed.Bob.Jid} type=subscribed");
        var subscribesFromBob = bed.Peer.Lines("PEER-TO-PARLEY SUBSCRIBE", $"sip:{bed.AliceUser}@").Count;
        var subscribesForBob = bed.Peer.Lines("PEER-PRESENCE SUBSCRIBE", $"sip:{bed.Bob.User}@").Count;
        var notifies = LineWaiter.Matching(watch.Log, "NOTIFY state=active").Count;

        await bed.Parley.Home.KillAsync();
        await bed.Parley.Home.StartAsync();
        output.WriteLine("parley restarted (SIGKILL, start on the same data and ports)");

        // The restored subscription is notified at once (alice is offline now: her connection went with the process).
        var line = await LineWaiter.WaitForNextAsync(() => watch.Log, notifies, Step, "bob's NOTIFY after Parley restarted", Context, "NOTIFY state=active");
        output.WriteLine($"after the restart: {line}");

        await bed.LoginAliceAsync();
        await bed.Alice.DoAsync(Context, "presence", show: "away", status: "Fed-after-restart");
        await watch.WaitForLogAsync("basic=open activity=away note=Fed-after-restart", Step, Context);
        Assert.True(
            bed.Peer.Lines("PEER-TO-PARLEY SUBSCRIBE", $"sip:{bed.AliceUser}@").Count == subscribesFromBob,
            $"bob's user agent never subscribed again, so the peer should not have forwarded another SUBSCRIBE.\n{Context()}");

        // Parley's own subscription for alice to bob is re-established (a new SUBSCRIBE at once) and carries his state.
        await LineWaiter.WaitForNextAsync(() => bed.Peer.Output, subscribesForBob, Step, "Parley's new SUBSCRIBE to bob after its restart", Context,
            "PEER-PRESENCE SUBSCRIBE", $"sip:{bed.Bob.User}@");
        await bed.Bob.PublishAsync(bed.Peer, PeerState.Away("Fed-bob-after-restart"), Context());
        await bed.Alice.WaitForLineAsync(Step, Context, $"XMPP PRESENCE from={bed.Bob.Jid} type=available show=away status=Fed-bob-after-restart");
    }
}
