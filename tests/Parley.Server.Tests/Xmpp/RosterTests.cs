using Parley.Server.Tests.Xmpp.Support;
using Parley.Xmpp;
using Parley.Xmpp.Xml;

namespace Parley.Server.Tests.Xmpp;

/// <summary>RFC 6121 §2: roster get, set, push, remove and versioning (§2.6).</summary>
public sealed class RosterTests(ParleyNodeFixture fixture) : IClassFixture<ParleyNodeFixture>
{
    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task Roster_get_returns_the_items_and_a_version_rfc6121_2_1_3()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var client = await XmppTestClient.LoginAsync(Node, alice);
        Assert.Equal("result", (await client.SetRosterItemAsync(bob.Jid, "Bob", "Friends")).GetAttribute("type"));

        var result = await client.GetRosterAsync();

        var query = result.Child("query", XmppNamespaces.Roster);
        Assert.NotNull(query);
        Assert.False(string.IsNullOrEmpty(query.GetAttribute("ver")));
        var item = Assert.Single(query.Elements());
        Assert.Equal(bob.Jid.ToString(), item.GetAttribute("jid"));
        Assert.Equal("Bob", item.GetAttribute("name"));
        Assert.Equal("none", item.GetAttribute("subscription"));
        Assert.Null(item.GetAttribute("ask"));
        Assert.Equal(["Friends"], item.Elements().Select(g => g.Text).ToArray());
    }

    [Fact]
    public async Task Roster_get_with_the_current_version_returns_an_empty_result_rfc6121_2_6_3()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var client = await XmppTestClient.LoginAsync(Node, alice);
        await client.SetRosterItemAsync(bob.Jid, "Bob");
        var ver = (await client.GetRosterAsync()).Child("query", XmppNamespaces.Roster)!.GetAttribute("ver");

        var again = await client.GetRosterAsync(ver);

        Assert.Equal("result", again.GetAttribute("type"));
        Assert.Empty(again.Elements());
    }

    [Fact]
    public async Task Roster_get_with_an_old_version_returns_the_full_roster_rfc6121_2_6_3()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var client = await XmppTestClient.LoginAsync(Node, alice);
        var ver = (await client.GetRosterAsync()).Child("query", XmppNamespaces.Roster)!.GetAttribute("ver");
        await client.SetRosterItemAsync(bob.Jid, "Bob");

        var again = await client.GetRosterAsync(ver);

        var query = again.Child("query", XmppNamespaces.Roster);
        Assert.NotNull(query);
        Assert.NotEqual(ver, query.GetAttribute("ver"));
        Assert.Equal(bob.Jid.ToString(), Assert.Single(query.Elements()).GetAttribute("jid"));
    }

    [Fact]
    public async Task Roster_set_pushes_to_every_interested_resource_with_increasing_versions_rfc6121_2_1_6()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        var carol = await Node.CreateUserAsync("carol");
        await using var laptop = await XmppTestClient.LoginAsync(Node, alice, "laptop");
        await using var phone = await XmppTestClient.LoginAsync(Node, alice, "phone");
        await using var idle = await XmppTestClient.LoginAsync(Node, alice, "idle"); // never asks for the roster
        await laptop.GetRosterAsync();
        await phone.GetRosterAsync();

        var setBob = await laptop.SetRosterItemAsync(bob.Jid, "Bob", "Work");
        var setCarol = await laptop.SetRosterItemAsync(carol.Jid, "Carol");

        Assert.Equal("result", setBob.GetAttribute("type"));
        Assert.Equal("result", setCarol.GetAttribute("type"));
        foreach (var client in new[] { laptop, phone })
        {
            var pushBob = await client.ReceiveAsync(e => XmppTestClient.IsRosterPush(e, bob.Jid), "the roster push for bob");
            var pushCarol = await client.ReceiveAsync(e => XmppTestClient.IsRosterPush(e, carol.Jid), "the roster push for carol");
            Assert.Equal(client.FullJid.ToString(), pushBob.GetAttribute("to"));
            var itemBob = PushedItem(pushBob);
            Assert.Equal("Bob", itemBob.GetAttribute("name"));
            Assert.Equal("none", itemBob.GetAttribute("subscription"));
            Assert.Equal(["Work"], itemBob.Elements().Select(g => g.Text).ToArray());
            Assert.True(Version(pushCarol) > Version(pushBob), "Each push carries a higher roster version.");
        }

        await idle.ExpectNoneAsync(e => e.Name == "iq" && e.GetAttribute("type") == "set", "a roster push (it never requested the roster)");
    }

    [Fact]
    public async Task Roster_remove_pushes_subscription_remove_and_the_item_is_gone_rfc6121_2_5()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var client = await XmppTestClient.LoginAsync(Node, alice);
        await client.GetRosterAsync();
        await client.SetRosterItemAsync(bob.Jid, "Bob");
        var added = await client.ReceiveAsync(e => XmppTestClient.IsRosterPush(e, bob.Jid), "the push adding bob");

        var removed = await client.RemoveRosterItemAsync(bob.Jid);

        Assert.Equal("result", removed.GetAttribute("type"));
        var push = await client.ReceiveAsync(e => XmppTestClient.IsRosterPush(e, bob.Jid), "the push removing bob");
        Assert.Equal("remove", PushedItem(push).GetAttribute("subscription"));
        Assert.True(Version(push) > Version(added));
        Assert.Empty((await client.GetRosterAsync()).Child("query", XmppNamespaces.Roster)!.Elements());
    }

    [Fact]
    public async Task Removing_a_mutual_contact_cancels_both_subscriptions_on_both_sides_rfc6121_2_5_2()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await Node.MakeMutualContactsAsync(alice, bob);
        await using var b = await XmppTestClient.OnlineAsync(Node, bob);
        await using var a = await XmppTestClient.OnlineAsync(Node, alice);
        await b.ReceiveAsync(e => XmppTestClient.IsPresence(e, a.FullJid, null), "alice's presence");

        Assert.Equal("result", (await a.RemoveRosterItemAsync(bob.Jid)).GetAttribute("type"));

        await a.ReceiveAsync(e => XmppTestClient.IsRosterPush(e, bob.Jid) && PushedItem(e).GetAttribute("subscription") == "remove", "the push removing bob");
        await b.ReceiveAsync(e => XmppTestClient.IsPresence(e, alice.Jid, "unsubscribe"), "the unsubscribe");
        await b.ReceiveAsync(e => XmppTestClient.IsPresence(e, alice.Jid, "unsubscribed"), "the unsubscribed");
        await b.ReceiveAsync(e => XmppTestClient.IsPresence(e, a.FullJid, "unavailable"), "unavailable from alice");
        await b.ReceiveAsync(e => XmppTestClient.IsRosterPush(e, alice.Jid) && PushedItem(e).GetAttribute("subscription") == "none", "bob's push with subscription='none'");
        Assert.Empty((await a.GetRosterAsync()).Child("query", XmppNamespaces.Roster)!.Elements());
    }

    [Fact]
    public async Task Removing_an_unknown_item_is_item_not_found_rfc6121_2_5_3()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var client = await XmppTestClient.LoginAsync(Node, alice);

        var removed = await client.RemoveRosterItemAsync(bob.Jid);

        Assert.Equal("error", removed.GetAttribute("type"));
        Assert.Equal("item-not-found", removed.Child("error", XmppNamespaces.Client)?.FirstChild(XmppNamespaces.Stanzas)?.Name);
    }

    internal static Element PushedItem(Element push) => push.Child("query", XmppNamespaces.Roster)!.Child("item", XmppNamespaces.Roster)!;

    internal static long Version(Element push) => long.Parse(push.Child("query", XmppNamespaces.Roster)!.GetAttribute("ver")!, System.Globalization.CultureInfo.InvariantCulture);
}
