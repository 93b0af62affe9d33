namespace Parley.Interop.Tests.Federation;

/// <summary>
/// Presence across the federation with a real Kamailio as the peer (issue 5 acceptance, first bullet): an XMPP user of
/// Parley watches a peer user and sees his published states mapped by the seed tables (digest ch1-3 §2.4); the peer
/// user watches the XMPP user, auto-approved, and gets a NOTIFY for each change; without auto-approve the request is
/// pending and a denial is polite blocking (the peer user sees "offline", the subscription is not rejected).
/// </summary>
public sealed class FederatedPresenceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Step = FederationTestBed.Step;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_xmpp_user_sees_each_state_the_peer_user_publishes_mapped_by_the_seed_tables(bool routingNode)
    {
        await using var bed = await FederationTestBed.StartAsync(routingNode: routingNode);
        var bob = bed.Bob;
        var alice = bed.Alice;

        await alice.DoAsync(bed.Context, "subscribe", to: bob.Jid);
        await alice.WaitForLineAsync(Step, () => "Parley should send a SUBSCRIBE to the peer and, on its 2xx, tell alice 'subscribed'.\n" + bed.Context(),
            $"XMPP PRESENCE from={bob.Jid} type=subscribed");
        await bed.Peer.WaitForLineAsync(Step, bed.Context(), "PEER-PRESENCE SUBSCRIBE", $"sip:{bob.User}@");

        // Seed Table 5 (Lync → third-party XMPP) through Parley's canonical model: Available → available,
        // Away → away, Busy → Busy (dnd, the only busy state XMPP has), Offline → unavailable.
        var expectations = new (PeerState State, string Expected)[]
        {
            (PeerState.Available("Fed-state-available"), "type=available show=none status=Fed-state-available"),
            (PeerState.Away("Fed-state-away"), "type=available show=away status=Fed-state-away"),
            (PeerState.Busy("Fed-state-busy"), "type=available show=dnd status=Fed-state-busy"),
            (PeerState.Offline("Fed-state-offline"), "type=unavailable"),
        };
        foreach (var (state, expected) in expectations)
        {
            var seen = alice.Lines($"XMPP PRESENCE from={bob.Jid} {expected}").Count;
            await bob.PublishAsync(bed.Peer, state, bed.Context());
            var line = await LineWaiter.WaitForNextAsync(
                () => alice.Output, seen, Step, $"alice's view of bob after he published {state.Note} ({state.Basic} {state.Activities})", bed.Context,
                $"XMPP PRESENCE from={bob.Jid} {expected}");
            output.WriteLine($"{state.Note} → {line}");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_peer_user_watching_an_xmpp_user_is_auto_approved_and_notified_of_each_change(bool routingNode)
    {
        await using var bed = await FederationTestBed.StartAsync(routingNode: routingNode);
        var watch = bed.Bob.StartWatching(bed.Peer, bed.AliceUser);
        string Context() => $"{bed.Context()}\n{watch.Describe()}";
        await watch.WaitForLogAsync("subscribed: 20", Step, Context);
        await watch.WaitForLogAsync("NOTIFY state=active basic=open", Step, Context);
        Assert.Empty(bed.Alice.Lines("type=subscribe ")); // auto-approved: alice is not asked

        // Seed Table 8 (third-party XMPP → Lync) through the canonical model: away and xa → away, dnd → busy,
        // available → no activity, offline → closed.
        var changes = new (string? Show, string Status, string Expected)[]
        {
            ("away", "Fed-xmpp-away", "basic=open activity=away note=Fed-xmpp-away"),
            ("dnd", "Fed-xmpp-dnd", "basic=open activity=busy note=Fed-xmpp-dnd"),
            ("xa", "Fed-xmpp-xa", "basic=open activity=away note=Fed-xmpp-xa"),
            (null, "Fed-xmpp-available", "basic=open activity=none note=Fed-xmpp-available"),
        };
        foreach (var (show, status, expected) in changes)
        {
            await bed.Alice.DoAsync(Context, "presence", show: show, status: status);
            var line = await LineWaiter.WaitForNextAsync(() => watch.Log, 0, Step, $"bob's NOTIFY after alice set show={show ?? "(none)"}", Context, "NOTIFY state=active", expected);
            output.WriteLine($"{show ?? "available"} → {line}");
        }

        var closed = LineWaiter.Matching(watch.Log, "basic=closed").Count;
        await bed.Alice.DoAsync(Context, "unavailable");
        await LineWaiter.WaitForNextAsync(() => watch.Log, closed, Step, "bob's NOTIFY after alice went offline", Context, "NOTIFY state=active basic=closed");
        Assert.Equal(1, bed.Peer.Calls("PEER-TO-PARLEY SUBSCRIBE", $"sip:{bed.AliceUser}@"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Without_auto_approve_the_request_is_pending_and_a_denial_shows_the_peer_user_offline(bool routingNode)
    {
        await using var bed = await FederationTestBed.StartAsync(autoApprove: false, routingNode: routingNode);
        await bed.Alice.DoAsync(bed.Context, "presence", show: "away", status: "Fed-secret-status");
        var watch = bed.Bob.StartWatching(bed.Peer, bed.AliceUser);
        string Context() => $"{bed.Context()}\n{watch.Describe()}";
        await watch.WaitForLogAsync("subscribed: 20", Step, Context);

        await bed.Alice.WaitForLineAsync(Step, () => "alice should be asked to approve bob.\n" + Context(), $"XMPP PRESENCE from={bed.Bob.Jid} type=subscribe");
        Assert.DoesNotContain(watch.Log.Split('\n'), l => l.Contains("basic=open", StringComparison.Ordinal));

        await bed.Alice.DoAsync(Context, "deny", to: bed.Bob.Jid);
        await watch.WaitForLogAsync("basic=closed", Step, Context);

        // Polite blocking: the subscription stays (never "terminated") and alice's changes never reach bob.
        await bed.Alice.DoAsync(Context, "presence", show: "chat", status: "Fed-still-secret");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.DoesNotContain(watch.Log.Split('\n'), l => l.Contains("basic=open", StringComparison.Ordinal) || l.Contains("Fed-still-secret", StringComparison.Ordinal) || l.Contains("Fed-secret-status", StringComparison.Ordinal));
        Assert.DoesNotContain(watch.Log.Split('\n'), l => l.Contains("state=terminated", StringComparison.Ordinal));
    }
}
