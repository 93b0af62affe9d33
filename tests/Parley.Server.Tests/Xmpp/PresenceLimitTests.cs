using Parley.Server.Tests.Xmpp.Support;
using Parley.Xmpp;
using static Parley.Server.Tests.Xmpp.Support.XmppTestClient;

namespace Parley.Server.Tests.Xmpp;

/// <summary>The deployment's contact-list and watcher limits (seed 003), set low on this node.</summary>
public sealed class PresenceLimitTests(LowLimitsNodeFixture fixture) : IClassFixture<LowLimitsNodeFixture>
{
    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task Adding_a_contact_beyond_the_contact_list_limit_is_a_policy_violation_with_a_text()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var a = await LoginAsync(Node, alice);
        for (var i = 0; i < LowLimitsNodeFixture.MaxContacts; i++)
        {
            var contact = await Node.CreateUserAsync("contact");
            Assert.Equal("result", (await a.SetRosterItemAsync(contact.Jid)).GetAttribute("type"));
        }

        var oneMore = await Node.CreateUserAsync("extra");
        var refused = await a.SetRosterItemAsync(oneMore.Jid);

        Assert.Equal("error", refused.GetAttribute("type"));
        var error = refused.Child("error", XmppNamespaces.Client)!;
        Assert.Equal("modify", error.GetAttribute("type"));
        Assert.Equal("policy-violation", error.FirstChild(XmppNamespaces.Stanzas)?.Name);
        Assert.Contains($"{LowLimitsNodeFixture.MaxContacts} contacts", error.ChildText("text", XmppNamespaces.Stanzas));
        Assert.Equal(LowLimitsNodeFixture.MaxContacts, (await a.GetRosterAsync()).Child("query", XmppNamespaces.Roster)!.Elements().Count());
    }

    [Fact]
    public async Task Subscribing_to_a_new_contact_with_a_full_contact_list_is_a_policy_violation()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var a = await OnlineAsync(Node, alice);
        for (var i = 0; i < LowLimitsNodeFixture.MaxContacts; i++)
        {
            await a.SetRosterItemAsync((await Node.CreateUserAsync("contact")).Jid);
        }

        var oneMore = await Node.CreateUserAsync("extra");
        await a.SendSubscriptionAsync("subscribe", oneMore.Jid);

        var error = await a.ReceiveAsync(e => IsPresence(e, oneMore.Jid, "error"), "a presence error from the requested contact");
        Assert.Equal("policy-violation", SubscriptionTests.ErrorCondition(error));
    }

    [Fact]
    public async Task Subscribing_to_a_user_at_the_watcher_limit_gets_a_presence_error()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var b = await OnlineAsync(Node, bob);
        for (var i = 0; i < LowLimitsNodeFixture.MaxWatchers; i++)
        {
            var watcher = await Node.CreateUserAsync("watcher");
            await using var w = await OnlineAsync(Node, watcher);
            await w.SendSubscriptionAsync("subscribe", bob.Jid);
            await w.ReceiveAsync(e => IsPresence(e, bob.Jid, "subscribed"), "approval while below the limit");
        }

        await using var a = await OnlineAsync(Node, alice);
        await a.SendSubscriptionAsync("subscribe", bob.Jid);

        var error = await a.ReceiveAsync(e => IsPresence(e, bob.Jid, "error"), "a presence error from bob's bare JID");
        Assert.Equal("policy-violation", SubscriptionTests.ErrorCondition(error));
        Assert.Contains("watchers", error.Child("error", XmppNamespaces.Client)!.ChildText("text", XmppNamespaces.Stanzas));
        await a.ExpectNoneAsync(e => IsPresence(e, bob.Jid, "subscribed"), "an approval");
        await b.ExpectNoneAsync(e => IsRosterPush(e, alice.Jid) && RosterTests.PushedItem(e).GetAttribute("subscription") == "from", "alice becoming a watcher");
    }
}
