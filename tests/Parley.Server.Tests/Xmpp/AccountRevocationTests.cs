using Parley.Server.Tests.Xmpp.Support;

namespace Parley.Server.Tests.Xmpp;

/// <summary>An administrator's change to an account reaches the sessions that are already open.</summary>
public sealed class AccountRevocationTests(ParleyNodeFixture fixture) : IClassFixture<ParleyNodeFixture>
{
    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task Disabling_a_user_closes_their_open_sessions_with_not_authorized()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var laptop = await XmppTestClient.LoginAsync(Node, alice, "laptop");
        await using var phone = await XmppTestClient.LoginAsync(Node, alice, "phone");

        await Node.DisableUserAsync(alice);

        await laptop.ExpectStreamErrorAsync("not-authorized");
        await phone.ExpectStreamErrorAsync("not-authorized");
    }

    [Fact]
    public async Task Other_users_keep_their_sessions_when_someone_is_disabled()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var bobClient = await XmppTestClient.LoginAsync(Node, bob, "desk");
        await using var aliceClient = await XmppTestClient.LoginAsync(Node, alice, "desk");

        await Node.DisableUserAsync(alice);
        await aliceClient.ExpectStreamErrorAsync("not-authorized");

        var ping = await bobClient.IqAsync(XmppTestClient.Iq("get", null, "ping", Parley.Xmpp.XmppNamespaces.Ping, out _));
        Assert.Equal("result", ping.GetAttribute("type"));
    }
}
