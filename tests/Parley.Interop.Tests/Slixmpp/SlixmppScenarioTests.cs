using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Slixmpp;

/// <summary>A real XMPP client library (slixmpp) against Parley with default settings (auto-approve on).</summary>
public sealed class SlixmppScenarioTests(ParleyServerFixture fixture, ITestOutputHelper output) : IClassFixture<ParleyServerFixture>
{
    private ParleyProcess Server => fixture.Server;

    [Fact]
    public async Task Three_users_log_in_manage_rosters_subscribe_and_see_each_others_presence()
    {
        var users = await CreateUsersAsync("alice", "bob", "carol");
        await SlixmppScenario.RunAsync(Server, "presence_roster.py", users, output, ["--auto-approve", "on"]);
    }

    [Fact]
    public async Task Messages_chat_states_two_resources_and_offline_delivery()
    {
        var users = await CreateUsersAsync("alice", "bob", "carol");
        await SlixmppScenario.RunAsync(Server, "messaging.py", users, output, ["--auto-approve", "on"]);
    }

    [Fact]
    public async Task Blocking_is_polite_the_blocked_contact_sees_offline_and_gets_no_error()
    {
        var users = await CreateUsersAsync("alice", "bob", "carol");
        await SlixmppScenario.RunAsync(Server, "blocking.py", users, output, ["--auto-approve", "on"]);
    }

    [Fact]
    public async Task Stream_resumption_after_a_cut_connection_loses_no_message()
    {
        var users = await CreateUsersAsync("alice", "bob");
        await SlixmppScenario.RunAsync(Server, "stream_resumption.py", users, output, ["--auto-approve", "on"]);
    }

    private async Task<List<(string Jid, string Password)>> CreateUsersAsync(params string[] names)
    {
        await RequiredTool.RequireSlixmppAsync();
        var users = new List<(string, string)>();
        foreach (var name in names)
        {
            users.Add(await Server.CreateUserAsync(name));
        }

        return users;
    }
}

/// <summary>The same client flows with auto-approve off: contacts approve requests explicitly.</summary>
public sealed class SlixmppExplicitApprovalTests(ParleyServerWithoutAutoApproveFixture fixture, ITestOutputHelper output)
    : IClassFixture<ParleyServerWithoutAutoApproveFixture>
{
    [Fact]
    public async Task Subscriptions_need_the_contacts_approval_and_pre_approval_is_honoured()
    {
        await RequiredTool.RequireSlixmppAsync();
        var users = new[] { await fixture.Server.CreateUserAsync("alice"), await fixture.Server.CreateUserAsync("bob"), await fixture.Server.CreateUserAsync("carol") };
        await SlixmppScenario.RunAsync(fixture.Server, "presence_roster.py", users, output, ["--auto-approve", "off"]);
    }

    [Fact]
    public async Task Messaging_works_with_explicitly_approved_subscriptions()
    {
        await RequiredTool.RequireSlixmppAsync();
        var users = new[] { await fixture.Server.CreateUserAsync("alice"), await fixture.Server.CreateUserAsync("bob"), await fixture.Server.CreateUserAsync("carol") };
        await SlixmppScenario.RunAsync(fixture.Server, "messaging.py", users, output, ["--auto-approve", "off"]);
    }
}
