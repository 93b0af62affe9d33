using Parley.Server.Tests.Xmpp.Support;
using Parley.Xmpp;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Xml;
using static Parley.Server.Tests.Xmpp.Support.XmppTestClient;

namespace Parley.Server.Tests.Xmpp;

/// <summary>RFC 6121 §8.5 message delivery, offline storage (XEP-0160/0203) and XEP-0085 chat states.</summary>
public sealed class MessageRoutingTests(ParleyNodeFixture fixture) : IClassFixture<ParleyNodeFixture>
{
    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task Message_to_a_bare_jid_reaches_every_available_resource_with_non_negative_priority_rfc6121_8_5_2_1_1()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var a = await OnlineAsync(Node, alice);
        await using var high = await OnlineAsync(Node, bob, "high", priority: 10);
        await using var zero = await OnlineAsync(Node, bob, "zero", priority: 0);
        await using var negative = await OnlineAsync(Node, bob, "negative", priority: -1);
        await using var unavailable = await LoginAsync(Node, bob, "unavailable");

        await a.SendMessageAsync(bob.Jid, "hello everyone", id: "m1");

        foreach (var resource in new[] { high, zero })
        {
            var message = await resource.ReceiveAsync(e => IsMessageFrom(e, a.FullJid), $"the message at {resource.FullJid}");
            Assert.Equal("hello everyone", message.ChildText("body", XmppNamespaces.Client));
            Assert.Equal("chat", message.GetAttribute("type"));
            Assert.Equal("m1", message.GetAttribute("id"));
        }

        await negative.ExpectNoneAsync(e => e.Name == "message", "the message (negative priority)");
        await unavailable.ExpectNoneAsync(e => e.Name == "message", "the message (no initial presence)");
        await a.ExpectNoneAsync(e => e.Name == "message", "an error");
    }

    [Fact]
    public async Task Message_to_a_full_jid_reaches_only_that_resource_rfc6121_8_5_3_1()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var a = await OnlineAsync(Node, alice);
        await using var phone = await OnlineAsync(Node, bob, "phone");
        await using var desk = await OnlineAsync(Node, bob, "desk");

        await a.SendMessageAsync(desk.FullJid, "just the desk");

        var message = await desk.ReceiveAsync(e => IsMessageFrom(e, a.FullJid), "the message at the desk");
        Assert.Equal(desk.FullJid.ToString(), message.GetAttribute("to"));
        await phone.ExpectNoneAsync(e => e.Name == "message", "the message meant for the desk");
    }

    [Fact]
    public async Task Chat_message_to_a_gone_full_jid_goes_to_the_bare_jid_rfc6121_8_5_3_2_1()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var a = await OnlineAsync(Node, alice);
        await using var phone = await OnlineAsync(Node, bob, "phone");

        await a.SendMessageAsync(Jid.Parse($"{bob.Jid}/gone"), "where are you");

        Assert.Equal("where are you", (await phone.ReceiveAsync(e => IsMessageFrom(e, a.FullJid), "the message at the remaining resource")).ChildText("body", XmppNamespaces.Client));
    }

    [Fact]
    public async Task Message_to_an_offline_user_is_stored_and_delivered_after_the_next_initial_presence_with_a_delay_xep0160()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var a = await OnlineAsync(Node, alice);
        var before = DateTimeOffset.UtcNow.AddSeconds(-2);

        await a.SendMessageAsync(bob.Jid, "see you tomorrow", id: "offline-1");
        await a.ExpectNoneAsync(e => e.Name == "message", "an error for a message to an offline user");

        await using var b = await LoginAsync(Node, bob);
        await b.ExpectNoneAsync(e => e.Name == "message", "offline messages before initial presence");
        await b.SendPresenceAsync();

        var message = await b.ReceiveAsync(e => e.Name == "message", "the offline message");
        Assert.Equal(a.FullJid.ToString(), message.GetAttribute("from"));
        Assert.Equal(b.FullJid.ToString(), message.GetAttribute("to"));
        Assert.Equal("offline-1", message.GetAttribute("id"));
        Assert.Equal("see you tomorrow", message.ChildText("body", XmppNamespaces.Client));
        var delay = message.Child("delay", XmppNamespaces.Delay);
        Assert.NotNull(delay);
        Assert.Equal(ParleyTestNode.Domain, delay.GetAttribute("from"));
        var stamp = DateTimeOffset.Parse(delay.GetAttribute("stamp")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(stamp, before, DateTimeOffset.UtcNow.AddSeconds(1));
        await b.IqAsync(Iq("get", null, "ping", XmppNamespaces.Ping, out _)); // the delivery step, removal included, has finished
        Assert.Empty(await Node.Store.OfflineMessages.PeekAsync(bob.Jid, CancellationToken.None));
    }

    [Fact]
    public async Task Message_to_an_unknown_user_is_service_unavailable_rfc6121_8_5_2_2_1()
    {
        var alice = await Node.CreateUserAsync("alice");
        var nobody = Jid.Parse($"nobody-{Guid.NewGuid():N}@{ParleyTestNode.Domain}");
        await using var a = await OnlineAsync(Node, alice);

        await a.SendMessageAsync(nobody, "hello?", id: "lost-1");

        var error = await a.ReceiveAsync(e => e.Name == "message" && e.GetAttribute("type") == "error", "the error");
        Assert.Equal("lost-1", error.GetAttribute("id"));
        Assert.Equal(nobody.ToString(), error.GetAttribute("from"));
        Assert.Equal("cancel", error.Child("error", XmppNamespaces.Client)?.GetAttribute("type"));
        Assert.Equal("service-unavailable", SubscriptionTests.ErrorCondition(error));
    }

    [Fact]
    public async Task Message_to_another_domain_is_remote_server_not_found_rfc6120_8_3_3_16()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var a = await OnlineAsync(Node, alice);

        await a.SendMessageAsync(Jid.Parse("someone@elsewhere.example.net"), "hello?", id: "remote-1");

        var error = await a.ReceiveAsync(e => e.Name == "message" && e.GetAttribute("type") == "error", "the error");
        Assert.Equal("remote-1", error.GetAttribute("id"));
        Assert.Equal("someone@elsewhere.example.net", error.GetAttribute("from"));
        Assert.Equal("remote-server-not-found", SubscriptionTests.ErrorCondition(error));
    }

    [Fact]
    public async Task Chat_states_pass_through_to_online_contacts_xep0085()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var a = await OnlineAsync(Node, alice);
        await using var b = await OnlineAsync(Node, bob);

        await a.SendMessageAsync(bob.Jid, null, extra: new Element("composing", XmppNamespaces.ChatStates));

        var state = await b.ReceiveAsync(e => IsMessageFrom(e, a.FullJid), "the chat state notification");
        Assert.NotNull(state.Child("composing", XmppNamespaces.ChatStates));
        Assert.Null(state.Child("body", XmppNamespaces.Client));
    }

    [Fact]
    public async Task A_chat_state_only_message_to_an_offline_user_is_not_stored_xep0085_5_6()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var a = await OnlineAsync(Node, alice);

        await a.SendMessageAsync(bob.Jid, null, extra: new Element("composing", XmppNamespaces.ChatStates));
        await a.SendMessageAsync(bob.Jid, "the real one", extra: new Element("active", XmppNamespaces.ChatStates));
        await a.IqAsync(Iq("get", null, "ping", XmppNamespaces.Ping, out _)); // both handled by now

        var stored = await Node.Store.OfflineMessages.PeekAsync(bob.Jid, CancellationToken.None);
        Assert.Single(stored);
        await using var b = await OnlineAsync(Node, bob);
        var message = await b.ReceiveAsync(e => e.Name == "message", "the stored message");
        Assert.Equal("the real one", message.ChildText("body", XmppNamespaces.Client));
        await b.ExpectNoneAsync(e => e.Name == "message", "the chat state notification");
    }

    [Fact]
    public async Task The_server_stamps_the_senders_full_jid_over_a_forged_from_rfc6120_8_1_2_1()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var a = await OnlineAsync(Node, alice);
        await using var b = await OnlineAsync(Node, bob);

        await a.SendAsync($"<message from='ceo@{ParleyTestNode.Domain}/office' to='{bob.Jid}' type='chat' id='forged'><body>wire the money</body></message>");

        var message = await b.ReceiveAsync(e => e.Name == "message" && e.GetAttribute("id") == "forged", "the message");
        Assert.Equal(a.FullJid.ToString(), message.GetAttribute("from"));
    }

    [Fact]
    public async Task Message_to_a_bare_jid_whose_resources_all_have_negative_priority_is_stored_offline_rfc6121_8_5_2_1_1()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var a = await OnlineAsync(Node, alice);
        await using var negative = await OnlineAsync(Node, bob, "negative", priority: -5);

        await a.SendMessageAsync(bob.Jid, "for later", id: "neg-1");
        await a.IqAsync(Iq("get", null, "ping", XmppNamespaces.Ping, out _));

        await negative.ExpectNoneAsync(e => e.Name == "message", "the message (negative priority)");
        Assert.Single(await Node.Store.OfflineMessages.PeekAsync(bob.Jid, CancellationToken.None));
        await using var later = await OnlineAsync(Node, bob, "later");
        Assert.Equal("neg-1", (await later.ReceiveAsync(e => e.Name == "message", "the stored message at the next initial presence")).GetAttribute("id"));
    }

    [Fact]
    public async Task The_offline_queue_is_bounded_and_the_message_beyond_the_limit_gets_an_error()
    {
        const int limit = 100; // XmppServerOptions.MaxOfflineMessagesPerUser, the node's default
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        for (var i = 0; i < limit - 1; i++)
        {
            Assert.True(await Node.Store.OfflineMessages.TryEnqueueAsync(bob.Jid, $"<message from='{alice.Jid}/x' to='{bob.Jid}' type='chat'><body>{i}</body></message>", 1000, CancellationToken.None));
        }

        await using var a = await OnlineAsync(Node, alice);
        await a.SendMessageAsync(bob.Jid, "number 100", id: "m100");
        await a.SendMessageAsync(bob.Jid, "number 101", id: "m101");

        var error = await a.ReceiveAsync(e => e.Name == "message" && e.GetAttribute("type") == "error", "the error for the 101st message");
        Assert.Equal("m101", error.GetAttribute("id"));
        Assert.Equal("service-unavailable", SubscriptionTests.ErrorCondition(error));
        Assert.False(string.IsNullOrEmpty(error.Child("error", XmppNamespaces.Client)!.ChildText("text", XmppNamespaces.Stanzas)));
        await a.ExpectNoneAsync(e => e.Name == "message" && e.GetAttribute("id") == "m100", "an error for the 100th message");
        var stored = await Node.Store.OfflineMessages.PeekAsync(bob.Jid, CancellationToken.None);
        Assert.Equal(limit, stored.Count);
        Assert.Contains("number 100", stored[^1].StanzaXml);
    }
}
