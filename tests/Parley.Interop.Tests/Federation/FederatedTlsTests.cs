using Parley.Server.Diagnostics;

namespace Parley.Interop.Tests.Federation;

/// <summary>
/// Federation over mutual TLS with certificates from a test CA (issue 5 acceptance, TLS bullet), with Parley alone or
/// with a routing node in front of alice's home node (routing-node bullet: the peer connects to the routing node's
/// peer-auth listener): Kamailio presenting a certificate from the trusted peer CA with a listed CN is accepted both
/// ways without any ACL entry; a CN not in the list, a serverAuth-only certificate, an expired one and one from another
/// CA each fail the handshake and each raise their own inbound event, on the node the peer connects to, naming what
/// was presented. The beds are shared by the rows (<see cref="PeerTlsBeds"/>): each row uses its own messages.
/// </summary>
public sealed class FederatedTlsTests(PeerTlsBeds beds, ITestOutputHelper output) : IClassFixture<PeerTlsBeds>
{
    private static readonly TimeSpan Step = FederationTestBed.Step;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_peer_certificate_from_the_trusted_ca_with_a_listed_cn_works_both_ways(bool routingNode)
    {
        var bed = await beds.BedAsync(routingNode);
        var front = bed.Parley.Front;

        // bob → alice: Kamailio → the peer-auth listener of Parley's front node (→ alice's home node).
        var code = await bed.Bob.SendMessageAsync(bed.Peer, bed.AliceUser, "Fed-tls bob to alice", bed.Context());
        Assert.True(code is 200 or 202, $"bob's MESSAGE over TLS got {code}.\n{bed.Context()}");
        await bed.Alice.WaitForLineAsync(Step, bed.Context, $"XMPP MESSAGE from={bed.Bob.Jid}", "body=Fed-tls bob to alice");

        // bob watches alice over the same link: accepted, and notified of her change.
        var watch = bed.Bob.StartWatching(bed.Peer, bed.AliceUser);
        string Context() => $"{bed.Context()}\n{watch.Describe()}";
        await watch.WaitForLogAsync("subscribed: 20", Step, Context);
        await bed.Alice.DoAsync(Context, "presence", show: "away", status: "Fed-tls-away");
        await watch.WaitForLogAsync("basic=open activity=away note=Fed-tls-away", Step, Context);

        Assert.NotEmpty(bed.Peer.Lines("PEER-TO-PARLEY MESSAGE"));
        await RoutingNodePath.AssertRepliesCameFromAsync(bed.Peer, front, "MESSAGE", Context);
        await RoutingNodePath.AssertRepliesCameFromAsync(bed.Peer, front, "SUBSCRIBE", Context);
        if (bed.Parley.Routing is { } routing)
        {
            RoutingNodePath.AssertSubscriptionRecordRouted(bed.Bob, routing, Context);
            RoutingNodePath.AssertNotifyThrough(bed.Bob, routing, "Fed-tls-away", Context);
        }

        // alice → bob: Parley's home node → Kamailio's TLS listener directly, checking Kamailio's server certificate.
        await bed.Alice.DoAsync(Context, "message", to: bed.Bob.Jid, body: "Fed-tls alice to bob");
        await bed.BobAgent.WaitForLogAsync("text=Fed-tls alice to bob", Step, Context);
        Assert.True(
            bed.Peer.Lines("PEER-REQ MESSAGE", $"sip:{bed.Bob.User}@").Any(l => l.Contains("/tls", StringComparison.Ordinal)),
            $"alice's MESSAGE should reach kamailio over TLS.\n{Context()}");
        RoutingNodePath.AssertSentByTheHomeNode(bed.Bob, bed.Parley, "Fed-tls alice to bob", Context);
    }

    [Theory]
    [InlineData(false, "CN not listed")]
    [InlineData(false, "serverAuth only")]
    [InlineData(false, "expired")]
    [InlineData(false, "another CA")]
    [InlineData(true, "CN not listed")]
    [InlineData(true, "serverAuth only")]
    [InlineData(true, "expired")]
    [InlineData(true, "another CA")]
    public async Task A_peer_certificate_failing_a_check_is_refused_with_its_own_event(bool routingNode, string flaw)
    {
        var bed = await beds.BedAsync(routingNode);
        var refusal = Refusal.For(flaw, beds.Pki, $"{flaw.Replace(' ', '-')}-{(routingNode ? "routed" : "direct")}");
        var front = bed.Parley.Front;
        var lastSequence = (await FederatedParley.EventsAsync(front)).Select(e => e.GetProperty("sequence").GetInt64()).DefaultIfEmpty(0).Max();
        await using var rogue = await KamailioPeer.StartAsync(new KamailioPeerOptions(flaw.Replace(' ', '-'), bed.Parley.TlsUri, [bed.Bob.User], refusal.Certificate));
        var text = $"Fed-tls refused {flaw} routing={routingNode}";
        var code = await bed.Bob.SendMessageAsync(rogue, bed.AliceUser, text, bed.Context());
        string Context() => $"'{flaw}': bob's MESSAGE got {code}\n{bed.Context()}\n{rogue.Describe()}";
        Assert.False(code is >= 200 and < 300, $"a peer certificate with '{flaw}' must fail the TLS handshake.\n{Context()}");

        var raised = await bed.Parley.WaitForEventAsync(front, Step, Context, $"event {refusal.Event.Id} newer than #{lastSequence} on {front.Fqdn}",
            e => e.GetProperty("sequence").GetInt64() > lastSequence && e.GetProperty("id").GetInt32() == refusal.Event.Id);
        var message = FederatedParley.Message(raised);
        output.WriteLine($"{flaw} on {front.Fqdn}: event {refusal.Event.Id}: {message}");
        Assert.True(refusal.Names(message), $"event {refusal.Event.Id} should name {refusal.What}: {message}\n{Context()}");
        Assert.Empty(bed.Alice.Lines(text));
    }

    /// <summary>A certificate failing one check, the event that check raises, and what its message must name.</summary>
    private sealed record Refusal((string, string) Certificate, EventDefinition Event, string What, Func<string, bool> Names)
    {
        public static Refusal For(string flaw, PeerCertificates pki, string file) => flaw switch
        {
            "CN not listed" => new(pki.Issue(file, "rogue.peer.test"), ParleyEvents.Federation.PeerSubjectNotAllowed, "the presented CN rogue.peer.test",
                m => m.Contains("rogue.peer.test", StringComparison.OrdinalIgnoreCase)),
            "serverAuth only" => new(pki.Issue(file, PeerCertificates.KamailioName, PeerCertificateFlaw.ServerAuthOnly), ParleyEvents.Federation.PeerCertificateUsage,
                "the missing clientAuth usage", m => new[] { "clientAuth", "client auth", "1.3.6.1.5.5.7.3.2" }.Any(w => m.Contains(w, StringComparison.OrdinalIgnoreCase))),
            "expired" => new(pki.Issue(file, PeerCertificates.KamailioName, PeerCertificateFlaw.Expired), ParleyEvents.Federation.PeerCertificateOutOfDate,
                "the validity", m => new[] { "expired", "valid from", "not valid", "validity" }.Any(w => m.Contains(w, StringComparison.OrdinalIgnoreCase))),
            "another CA" => new(pki.Issue(file, PeerCertificates.KamailioName, PeerCertificateFlaw.OtherCa), ParleyEvents.Federation.PeerCertificateUntrusted,
                "the issuer 'Parley federation unrelated CA'", m => m.Contains("unrelated CA", StringComparison.OrdinalIgnoreCase)),
            _ => throw new ArgumentOutOfRangeException(nameof(flaw), flaw, "no such certificate flaw"),
        };
    }
}
