using Parley.Sip.Messages;
using Parley.Sip.Proxy;

namespace Parley.Sip.Tests.Proxy;

public sealed class LoopDetectionTests
{
    private const string Us = "proxy.example.com";

    [Fact]
    public void Branch_has_the_magic_cookie_is_stable_and_differs_per_fork()
    {
        var request = Received("sip:bob@example.com");

        var first = LoopDetection.ComputeBranch(request);
        var again = LoopDetection.ComputeBranch(Received("sip:bob@example.com"));
        var fork = LoopDetection.ComputeBranch(request, fork: 1);

        Assert.StartsWith(ViaHeader.MagicCookie, first, StringComparison.Ordinal);
        Assert.Equal(first, again);
        Assert.NotEqual(first, fork);
    }

    [Fact]
    public void Cancel_gets_the_same_branch_as_its_invite()
    {
        var invite = Received("sip:bob@example.com");
        var cancel = Received("sip:bob@example.com", method: SipMethods.Cancel);

        Assert.Equal(LoopDetection.ComputeBranch(invite), LoopDetection.ComputeBranch(cancel));
    }

    [Fact]
    public void Changes_to_routing_fields_change_the_branch()
    {
        var baseline = LoopDetection.LoopHash(Received("sip:bob@example.com"));

        Assert.NotEqual(baseline, LoopDetection.LoopHash(Received("sip:carol@example.com")));
        Assert.NotEqual(baseline, LoopDetection.LoopHash(Received("sip:bob@example.com", cseq: 2)));
        var routed = Received("sip:bob@example.com");
        routed.Headers.Add(SipHeaderNames.Route, "<sip:edge.example.org;lr>");
        Assert.NotEqual(baseline, LoopDetection.LoopHash(routed));
        var authorized = Received("sip:bob@example.com");
        authorized.Headers.Add(SipHeaderNames.ProxyAuthorization, "Digest username=\"alice\"");
        Assert.NotEqual(baseline, LoopDetection.LoopHash(authorized));
    }

    [Fact]
    public void Hop_dependent_fields_do_not_change_the_branch()
    {
        var baseline = LoopDetection.LoopHash(Received("sip:bob@example.com"));
        var later = Received("sip:bob@example.com");
        later.Headers.Set(SipHeaderNames.MaxForwards, "12");
        later.Headers.AddFirst(SipHeaderNames.Via, "SIP/2.0/UDP other.example.net;branch=z9hG4bK-x");

        Assert.Equal(baseline, LoopDetection.LoopHash(later));
    }

    [Fact]
    public void A_request_we_never_forwarded_is_not_a_loop()
    {
        Assert.Equal(LoopCheck.None, LoopDetection.Check(Received("sip:bob@example.com"), Us, 5060));
    }

    [Fact]
    public void A_request_returning_unchanged_through_us_is_a_loop()
    {
        var original = Received("sip:bob@example.com");
        var returned = Received("sip:bob@example.com");
        returned.Headers.AddFirst(SipHeaderNames.Via, $"SIP/2.0/UDP {Us};branch={LoopDetection.ComputeBranch(original, fork: 2)}");
        returned.Headers.AddFirst(SipHeaderNames.Via, "SIP/2.0/UDP elsewhere.example.net;branch=z9hG4bK-e");

        Assert.Equal(LoopCheck.Loop, LoopDetection.Check(returned, Us, 5060));
    }

    [Fact]
    public void Our_host_in_another_letter_case_is_still_us()
    {
        var original = Received("sip:bob@example.com");
        var returned = Received("sip:bob@example.com");
        returned.Headers.AddFirst(SipHeaderNames.Via, $"SIP/2.0/UDP {Us.ToUpperInvariant()};branch={LoopDetection.ComputeBranch(original)}");

        Assert.Equal(LoopCheck.Loop, LoopDetection.Check(returned, Us, 5060));
    }

    [Fact]
    public void A_request_returning_with_a_new_request_uri_is_a_spiral()
    {
        var original = Received("sip:bob@example.com");
        var returned = Received("sip:bob@192.0.2.50");
        returned.Headers.AddFirst(SipHeaderNames.Via, $"SIP/2.0/UDP {Us}:5060;branch={LoopDetection.ComputeBranch(original)}");

        Assert.Equal(LoopCheck.Spiral, LoopDetection.Check(returned, Us, 5060));
    }

    [Fact]
    public void A_via_from_our_host_on_another_port_is_someone_else()
    {
        var original = Received("sip:bob@example.com");
        var returned = Received("sip:bob@example.com");
        returned.Headers.AddFirst(SipHeaderNames.Via, $"SIP/2.0/UDP {Us}:5080;branch={LoopDetection.ComputeBranch(original)}");

        Assert.Equal(LoopCheck.None, LoopDetection.Check(returned, Us, 5060));
    }

    [Fact]
    public void Max_forwards_zero_means_no_more_hops()
    {
        var request = Received("sip:bob@example.com");
        Assert.False(LoopDetection.HopsExhausted(request));

        request.Headers.Set(SipHeaderNames.MaxForwards, "0");
        Assert.True(LoopDetection.HopsExhausted(request));
    }

    private static SipRequest Received(string uri, string method = SipMethods.Invite, uint cseq = 1)
    {
        var request = SipRequest.Create(method, SipUri.Parse(uri));
        request.Headers.Add(SipHeaderNames.Via, "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-client");
        request.Headers.Add(SipHeaderNames.MaxForwards, "70");
        request.Headers.Add(SipHeaderNames.From, "<sip:alice@example.com>;tag=a");
        request.Headers.Add(SipHeaderNames.To, "<sip:bob@example.com>");
        request.Headers.Add(SipHeaderNames.CallId, "loop@client");
        request.Headers.Add(SipHeaderNames.CSeq, $"{cseq} {method}");
        return request;
    }
}
