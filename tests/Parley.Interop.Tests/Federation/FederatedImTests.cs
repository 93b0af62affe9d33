using System.Globalization;

namespace Parley.Interop.Tests.Federation;

/// <summary>
/// IM and typing notifications both ways between an XMPP user of Parley and a user of the Kamailio peer (issue 5
/// acceptance, second bullet): page mode when the static route's flavour is generic (MESSAGE, isComposing as a
/// MESSAGE body), session mode when it is lync (INVITE with m=message, then in-dialog MESSAGE, typing as INFO).
/// </summary>
public sealed class FederatedImTests
{
    private const string IsComposing =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\">" +
        "<state>active</state><contenttype>text/plain</contenttype><refresh>60</refresh></isComposing>";

    private static readonly TimeSpan Step = FederationTestBed.Step;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Page_mode_messages_and_typing_cross_both_ways(bool routingNode)
    {
        await using var bed = await FederationTestBed.StartAsync(flavour: "generic", routingNode: routingNode);
        var alice = bed.Alice;
        var bob = bed.Bob;

        // alice → bob: typing, then text, each a MESSAGE through the peer to bob's user agent.
        await alice.DoAsync(bed.Context, "chatstate", to: bob.Jid, state: "composing");
        await bed.BobAgent.WaitForLogAsync($"MESSAGE page from={bed.AliceUser} text=state>active", Step, bed.Context);
        await alice.DoAsync(bed.Context, "message", to: bob.Jid, body: "Fed-page alice to bob");
        await bed.BobAgent.WaitForLogAsync($"MESSAGE page from={bed.AliceUser} text=Fed-page alice to bob", Step, bed.Context);
        Assert.DoesNotContain(bed.BobAgent.Log.Split('\n'), l => l.StartsWith("INVITE", StringComparison.Ordinal));

        // bob → alice: typing (an isComposing MESSAGE) then text.
        var typing = await bob.SendMessageAsync(bed.Peer, bed.AliceUser, IsComposing, bed.Context(), "application/im-iscomposing+xml");
        Assert.True(typing is 200 or 202, $"bob's isComposing MESSAGE got {typing}\n{bed.Context()}");
        await alice.WaitForLineAsync(Step, bed.Context, $"XMPP MESSAGE from={bob.Jid}", "chatstate=composing");
        var text = await bob.SendMessageAsync(bed.Peer, bed.AliceUser, "Fed-page bob to alice", bed.Context());
        Assert.True(text is 200 or 202, $"bob's MESSAGE got {text}\n{bed.Context()}");
        await alice.WaitForLineAsync(Step, bed.Context, $"XMPP MESSAGE from={bob.Jid}", "body=Fed-page bob to alice");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Session_mode_messages_and_typing_cross_both_ways(bool routingNode)
    {
        await using var bed = await FederationTestBed.StartAsync(flavour: "lync", routingNode: routingNode);
        var alice = bed.Alice;
        var bob = bed.Bob;

        // alice → bob: the first message opens a session (INVITE), then text and typing go in the dialog.
        await alice.DoAsync(bed.Context, "message", to: bob.Jid, body: "Fed-session alice to bob");
        await bed.BobAgent.WaitForLogAsync($"INVITE session from={bed.AliceUser}", Step, bed.Context);
        await bed.BobAgent.WaitForLogAsync("MESSAGE in-dialog text=Fed-session alice to bob", Step, bed.Context);
        await alice.DoAsync(bed.Context, "chatstate", to: bob.Jid, state: "composing");
        await bed.BobAgent.WaitForLogAsync("INFO in-dialog text=state>active", Step, bed.Context);
        await alice.DoAsync(bed.Context, "message", to: bob.Jid, body: "Fed-session second line");
        await bed.BobAgent.WaitForLogAsync("MESSAGE in-dialog text=Fed-session second line", Step, bed.Context);
        Assert.Single(bed.BobAgent.Log.Split('\n'), l => l.StartsWith("INVITE", StringComparison.Ordinal));
        Assert.DoesNotContain(bed.BobAgent.Log.Split('\n'), l => l.StartsWith("MESSAGE page", StringComparison.Ordinal));

        // bob → alice: his own session; INFO isComposing, MESSAGE, BYE, each answered 2xx by Parley.
        await bob.RunSessionAsync(bed.Peer, bed.AliceUser, "Fed-session bob to alice", bed.Context());
        await alice.WaitForLineAsync(Step, bed.Context, $"XMPP MESSAGE from={bob.Jid}", "chatstate=composing");
        await alice.WaitForLineAsync(Step, bed.Context, $"XMPP MESSAGE from={bob.Jid}", "body=Fed-session bob to alice");
    }

    /// <summary>
    /// Interdomain federation through the peer (seed 003 ch.9): remote.test is a SIP federation domain of Parley with a
    /// static route to the peer, whose own federation reaches dave (here the peer serves remote.test itself). Messages go
    /// both ways, and dave, of a domain Parley does not host, is taken as a user of the trusted peer.
    /// </summary>
    [Fact]
    public async Task Users_of_a_remote_domain_are_reached_through_the_peer_and_answer_back()
    {
        await using var bed = await FederationTestBed.StartAsync(flavour: "generic");
        await using var dave = PeerUser.Create("dave", "remote.test");
        await bed.Parley.FederationAsync("domain", "add", "remote.test", "--description", "federated by the peer");
        await bed.Parley.FederationAsync("route", "add", "--pattern", "remote.test", "--next-hop", KamailioPeer.Address,
            "--port", bed.Peer.SipPort.ToString(CultureInfo.InvariantCulture), "--transport", "tcp", "--flavour", "generic");
        await bed.Parley.WaitUntilAppliedAsync();
        var daveAgent = dave.StartAgent();
        await dave.RegisterAsync(bed.Peer, bed.Context());

        await bed.Alice.DoAsync(bed.Context, "message", to: dave.Jid, body: "Fed-interdomain alice to dave");
        await daveAgent.WaitForLogAsync($"MESSAGE page from={bed.AliceUser} text=Fed-interdomain alice to dave", Step, bed.Context);

        var code = await dave.SendMessageAsync(bed.Peer, bed.AliceUser, "Fed-interdomain dave to alice", bed.Context());
        Assert.True(code is 200 or 202, $"dave's MESSAGE got {code}\n{bed.Context()}");
        await bed.Alice.WaitForLineAsync(Step, bed.Context, $"XMPP MESSAGE from={dave.Jid}", "body=Fed-interdomain dave to alice");
    }
}
