using Parley.Server.Tests.Xmpp.Support;
using Parley.Xmpp;
using Parley.Xmpp.Addressing;
using static Parley.Server.Tests.Xmpp.Support.XmppTestClient;

namespace Parley.Server.Tests.Xmpp;

/// <summary>RFC 6120 §8.2.3 IQ semantics, XEP-0030 disco and XEP-0199 ping.</summary>
public sealed class IqTests(ParleyNodeFixture fixture) : IClassFixture<ParleyNodeFixture>
{
    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task Disco_info_to_the_server_lists_identity_and_features_xep0030()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var a = await LoginAsync(Node, alice);

        var result = await a.IqAsync(Iq("get", ParleyTestNode.Domain, "query", XmppNamespaces.DiscoInfo, out _));

        Assert.Equal("result", result.GetAttribute("type"));
        Assert.Equal(ParleyTestNode.Domain, result.GetAttribute("from"));
        var query = result.Child("query", XmppNamespaces.DiscoInfo)!;
        var identity = query.Child("identity", XmppNamespaces.DiscoInfo)!;
        Assert.Equal(("server", "im"), (identity.GetAttribute("category"), identity.GetAttribute("type")));
        var features = query.Elements().Where(e => e.Name == "feature").Select(e => e.GetAttribute("var")).ToArray();
        Assert.Contains(XmppNamespaces.DiscoInfo, features);
        Assert.Contains(XmppNamespaces.Ping, features);
        Assert.Contains(XmppNamespaces.Blocking, features);
    }

    [Fact]
    public async Task Ping_to_the_server_is_answered_with_an_empty_result_xep0199()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var a = await LoginAsync(Node, alice);

        var result = await a.IqAsync(Iq("get", ParleyTestNode.Domain, "ping", XmppNamespaces.Ping, out _));

        Assert.Equal("result", result.GetAttribute("type"));
        Assert.Equal(ParleyTestNode.Domain, result.GetAttribute("from"));
        Assert.Empty(result.Elements());
    }

    [Fact]
    public async Task An_iq_in_an_unknown_namespace_is_service_unavailable_rfc6120_8_4()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var a = await LoginAsync(Node, alice);

        var result = await a.IqAsync(Iq("get", ParleyTestNode.Domain, "query", "urn:example:unknown", out _));

        Assert.Equal("error", result.GetAttribute("type"));
        Assert.Equal("service-unavailable", SubscriptionTests.ErrorCondition(result));
    }

    [Fact]
    public async Task An_iq_to_another_users_full_jid_is_delivered_and_the_result_comes_back_rfc6120_8_2_3()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var a = await LoginAsync(Node, alice);
        await using var b = await LoginAsync(Node, bob, "desk");

        await a.SendAsync(Iq("get", b.FullJid.ToString(), "query", XmppNamespaces.Version, out _).SetAttribute("id", "v1"));

        var request = await b.ReceiveAsync(e => e.Name == "iq" && e.GetAttribute("id") == "v1", "the version request");
        Assert.Equal(a.FullJid.ToString(), request.GetAttribute("from"));
        Assert.Equal("get", request.GetAttribute("type"));
        await b.SendAsync($"<iq type='result' id='v1' to='{a.FullJid}'><query xmlns='jabber:iq:version'><name>TestClient</name></query></iq>");

        var result = await a.ReceiveAsync(e => e.Name == "iq" && e.GetAttribute("id") == "v1", "the result from bob");
        Assert.Equal("result", result.GetAttribute("type"));
        Assert.Equal(b.FullJid.ToString(), result.GetAttribute("from"));
        Assert.Equal("TestClient", result.Child("query", XmppNamespaces.Version)?.ChildText("name", XmppNamespaces.Version));
    }

    [Fact]
    public async Task An_iq_to_an_unconnected_full_jid_is_service_unavailable_rfc6121_8_5_3_2_3()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var a = await LoginAsync(Node, alice);

        var result = await a.IqAsync(Iq("get", $"{bob.Jid}/nowhere", "ping", XmppNamespaces.Ping, out _));

        Assert.Equal("error", result.GetAttribute("type"));
        Assert.Equal("service-unavailable", SubscriptionTests.ErrorCondition(result));
    }

    [Fact]
    public async Task An_iq_get_without_a_payload_is_bad_request_rfc6120_8_2_3()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var a = await LoginAsync(Node, alice);

        await a.SendAsync("<iq type='get' id='empty-1'/>");

        var result = await a.ReceiveAsync(e => e.Name == "iq" && e.GetAttribute("id") == "empty-1", "the error");
        Assert.Equal("error", result.GetAttribute("type"));
        Assert.Equal("bad-request", SubscriptionTests.ErrorCondition(result));
    }
}
