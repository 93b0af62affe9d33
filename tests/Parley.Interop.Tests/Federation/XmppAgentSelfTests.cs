namespace Parley.Interop.Tests.Federation;

/// <summary>
/// The XMPP side of the federation harness proven without federation: two local users of a Parley started the way
/// the acceptance tests start it (bootstrap file, deployment CA, topology) drive each other through xmpp_agent.py —
/// subscription, presence with show and status, messages, chat states — and see the lines the tests wait for.
/// </summary>
public sealed class XmppAgentSelfTests
{
    private static readonly TimeSpan Step = FederationTestBed.Step;

    [Fact]
    public async Task Two_local_users_see_each_others_presence_messages_and_chat_states_through_the_agent()
    {
        await using var parley = new FederatedParley();
        await parley.StartAsync();
        var aliceAccount = await parley.CreateUserAsync("alice");
        var daveAccount = await parley.CreateUserAsync("dave");
        XmppAgent? alice = null;
        XmppAgent? dave = null;
        string Context() => $"{parley.Logs()}\n{alice?.Describe()}\n{dave?.Describe()}";
        await using (alice = await parley.LoginAsync(aliceAccount, Context))
        await using (dave = await parley.LoginAsync(daveAccount, Context))
        {
            await alice.DoAsync(Context, "subscribe", to: dave.Jid);
            await alice.WaitForLineAsync(Step, Context, $"XMPP PRESENCE from={dave.Jid} type=subscribed");
            await dave.DoAsync(Context, "presence", show: "dnd", status: "Fed-agent busy");
            await alice.WaitForLineAsync(Step, Context, $"XMPP PRESENCE from={dave.Jid} type=available show=dnd status=Fed-agent busy");

            await alice.DoAsync(Context, "chatstate", to: dave.Jid, state: "composing");
            await dave.WaitForLineAsync(Step, Context, $"XMPP MESSAGE from={alice.Jid} type=chat body=none chatstate=composing");
            await alice.DoAsync(Context, "message", to: dave.Jid, body: "Fed-agent hello");
            await dave.WaitForLineAsync(Step, Context, $"XMPP MESSAGE from={alice.Jid} type=chat body=Fed-agent hello chatstate=active");

            await dave.DoAsync(Context, "unavailable");
            await alice.WaitForLineAsync(Step, Context, $"XMPP PRESENCE from={dave.Jid} type=unavailable");
        }
    }
}
