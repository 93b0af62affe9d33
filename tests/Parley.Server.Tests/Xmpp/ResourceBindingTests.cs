using Parley.Server.Tests.Xmpp.Support;
using Parley.Xmpp;

namespace Parley.Server.Tests.Xmpp;

/// <summary>RFC 6120 §7: resource binding, several resources per account, and conflicts.</summary>
public sealed class ResourceBindingTests(ParleyNodeFixture fixture) : IClassFixture<ParleyNodeFixture>
{
    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task Bind_without_a_resource_gets_a_server_generated_one_rfc6120_7_6()
    {
        var alice = await Node.CreateUserAsync("alice");

        await using var client = await XmppTestClient.LoginAsync(Node, alice, resource: null);

        Assert.Equal(alice.Jid, client.FullJid.Bare);
        Assert.False(string.IsNullOrEmpty(client.FullJid.Resource));
    }

    [Fact]
    public async Task Bind_with_a_resource_gets_exactly_that_resource_rfc6120_7_7()
    {
        var alice = await Node.CreateUserAsync("alice");

        await using var client = await XmppTestClient.LoginAsync(Node, alice, "laptop");

        Assert.Equal($"{alice.Jid}/laptop", client.FullJid.ToString());
    }

    [Fact]
    public async Task Two_resources_of_one_user_are_both_bound_and_reachable()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var laptop = await XmppTestClient.LoginAsync(Node, alice, "laptop");
        await using var phone = await XmppTestClient.LoginAsync(Node, alice, "phone");

        var ping = XmppTestClient.Iq("get", laptop.FullJid.ToString(), "ping", XmppNamespaces.Ping, out _);
        await phone.SendAsync(ping.SetAttribute("id", "p1"));

        var delivered = await laptop.ReceiveAsync(e => e.Name == "iq" && e.GetAttribute("id") == "p1", "the ping from the phone");
        Assert.Equal(phone.FullJid.ToString(), delivered.GetAttribute("from"));
        await laptop.ExpectNoneAsync(e => e.Is("error", XmppNamespaces.Streams), "a stream error");
    }

    [Fact]
    public async Task Binding_the_same_resource_again_replaces_the_old_session_with_conflict_rfc6120_7_7_2_2()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var first = await XmppTestClient.LoginAsync(Node, alice, "desk");

        await using var second = await XmppTestClient.LoginAsync(Node, alice, "desk");

        Assert.Equal($"{alice.Jid}/desk", second.FullJid.ToString());
        await first.ExpectStreamErrorAsync("conflict");
        var ping = await second.IqAsync(XmppTestClient.Iq("get", null, "ping", XmppNamespaces.Ping, out _));
        Assert.Equal("result", ping.GetAttribute("type"));
    }
}
