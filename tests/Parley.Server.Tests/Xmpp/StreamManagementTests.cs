using Parley.Server.Tests.Xmpp.Support;
using Parley.Xmpp;
using Parley.Xmpp.Xml;
using static Parley.Server.Tests.Xmpp.Support.XmppTestClient;

namespace Parley.Server.Tests.Xmpp;

/// <summary>XEP-0198: acks, and resumption after a dropped connection without losing or duplicating stanzas.</summary>
public sealed class StreamManagementTests(ParleyNodeFixture fixture) : IClassFixture<ParleyNodeFixture>
{
    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task Enable_with_resume_returns_an_id_and_a_max_xep0198_3()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var a = await LoginAsync(Node, alice);

        var enabled = await a.EnableStreamManagementAsync(resume: true);

        Assert.True(enabled.Is("enabled", XmppNamespaces.StreamManagement), $"Expected <enabled/>, got {enabled}");
        Assert.False(string.IsNullOrEmpty(enabled.GetAttribute("id")));
        Assert.Equal("true", enabled.GetAttribute("resume"));
        Assert.True(int.Parse(enabled.GetAttribute("max")!, System.Globalization.CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public async Task Enable_twice_fails_with_unexpected_request_xep0198_3()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var a = await LoginAsync(Node, alice);
        await a.EnableStreamManagementAsync();

        await a.SendAsync("<enable xmlns='urn:xmpp:sm:3'/>");

        var failed = await a.ReceiveAsync(e => e.Is("failed", XmppNamespaces.StreamManagement), "<failed/>");
        Assert.NotNull(failed.Child("unexpected-request", XmppNamespaces.Stanzas));
    }

    [Fact]
    public async Task Ack_request_is_answered_with_the_count_of_handled_stanzas_xep0198_4()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var a = await LoginAsync(Node, alice);
        await a.EnableStreamManagementAsync();
        for (var i = 0; i < 3; i++)
        {
            await a.IqAsync(Iq("get", null, "ping", XmppNamespaces.Ping, out _));
        }

        await a.SendAsync("<r xmlns='urn:xmpp:sm:3'/>");

        var ack = await a.ReceiveAsync(e => e.Is("a", XmppNamespaces.StreamManagement), "<a/>");
        Assert.Equal("3", ack.GetAttribute("h"));

        await a.SendPresenceAsync();
        await a.SendAsync("<r xmlns='urn:xmpp:sm:3'/>");
        Assert.Equal("4", (await a.ReceiveAsync(e => e.Is("a", XmppNamespaces.StreamManagement), "the second <a/>")).GetAttribute("h"));
    }

    [Fact]
    public async Task Resumption_resends_exactly_the_unacknowledged_stanzas_in_order_xep0198_5()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var b = await OnlineAsync(Node, bob);
        var (first, id) = await AvailableWithResumptionAsync(alice);
        for (var i = 1; i <= 3; i++)
        {
            await b.SendMessageAsync(alice.Jid, $"before {i}", id: $"before-{i}");
        }

        for (var i = 1; i <= 3; i++)
        {
            await first.ReceiveAsync(e => e.Name == "message" && e.GetAttribute("id") == $"before-{i}", $"message before-{i}");
        }

        await first.AckAsync(2); // acknowledges the echo and before-1; before-2 and before-3 stay unacked
        var handled = first.Handled;
        Assert.Equal(4u, handled);
        first.Cut();
        await first.DisposeAsync();

        for (var i = 1; i <= 3; i++)
        {
            await b.SendMessageAsync(alice.Jid, $"during {i}", id: $"during-{i}");
        }

        await b.IqAsync(Iq("get", null, "ping", XmppNamespaces.Ping, out _));

        await using var second = await ConnectAsync(Node, "alice-resumed");
        await second.AuthenticateAsync(alice);
        var resumed = await second.ResumeAsync(id, handled);

        Assert.True(resumed.Is("resumed", XmppNamespaces.StreamManagement), $"Expected <resumed/>, got {resumed}");
        Assert.Equal(id, resumed.GetAttribute("previd"));
        Assert.Equal("1", resumed.GetAttribute("h")); // the server handled alice's one stanza: her presence
        var resent = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var message = await second.ReceiveAsync(e => e.Name == "message", $"resent message {i + 1}");
            resent.Add(message.GetAttribute("id")!);
            Assert.Equal($"{alice.Jid}/phone", message.GetAttribute("to"));
        }

        Assert.Equal(["during-1", "during-2", "during-3"], resent);
        await second.ExpectNoneAsync(e => e.Name == "message", "a duplicate of a message acknowledged before the cut");

        await b.SendMessageAsync(alice.Jid, "after", id: "after-1");
        await second.ReceiveAsync(e => e.Name == "message" && e.GetAttribute("id") == "after-1", "a new message on the resumed session");
        await b.ExpectNoneAsync(e => IsPresence(e, Parley.Xmpp.Addressing.Jid.Parse($"{alice.Jid}/phone"), "unavailable"), "unavailable from alice (her session never ended)");
    }

    [Fact]
    public async Task Stanzas_acknowledged_before_the_cut_are_not_resent_xep0198_4()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var b = await OnlineAsync(Node, bob);
        var (first, id) = await AvailableWithResumptionAsync(alice);
        await b.SendMessageAsync(alice.Jid, "one", id: "one");
        await b.SendMessageAsync(alice.Jid, "two", id: "two");
        await first.ReceiveAsync(e => IsMessage(e, "two"), "message two");
        await first.AckAsync(2); // the echo and message one were processed; two was not
        first.Cut();
        await first.DisposeAsync();

        await using var second = await ConnectAsync(Node, "alice-resumed");
        await second.AuthenticateAsync(alice);
        var resumed = await second.ResumeAsync(id, 2);

        Assert.True(resumed.Is("resumed", XmppNamespaces.StreamManagement), $"Expected <resumed/>, got {resumed}");
        Assert.Equal("two", (await second.ReceiveAsync(e => e.Name == "message", "message two again")).GetAttribute("id"));
        await second.ExpectNoneAsync(e => e.Name == "message" || e.Name == "presence", "a stanza that was acknowledged before the cut");
    }

    [Fact]
    public async Task Resume_with_an_unknown_id_fails_with_item_not_found_xep0198_5()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var a = await ConnectAsync(Node);
        await a.AuthenticateAsync(alice);

        var failed = await a.ResumeAsync("no-such-session", 0);

        Assert.True(failed.Is("failed", XmppNamespaces.StreamManagement), $"Expected <failed/>, got {failed}");
        Assert.NotNull(failed.Child("item-not-found", XmppNamespaces.Stanzas));
        await a.BindAsync(null); // the stream is still usable for a fresh session
    }

    [Fact]
    public async Task Another_users_session_cannot_be_resumed_xep0198_5()
    {
        var alice = await Node.CreateUserAsync("alice");
        var mallory = await Node.CreateUserAsync("mallory");
        var a = await LoginAsync(Node, alice);
        var id = (await a.EnableStreamManagementAsync()).GetAttribute("id")!;
        a.Cut();
        await a.DisposeAsync();

        await using var m = await ConnectAsync(Node);
        await m.AuthenticateAsync(mallory);
        var failed = await m.ResumeAsync(id, 0);

        Assert.True(failed.Is("failed", XmppNamespaces.StreamManagement), $"Expected <failed/>, got {failed}");
        Assert.NotNull(failed.Child("item-not-found", XmppNamespaces.Stanzas));
    }

    [Fact]
    public async Task Acknowledging_more_than_was_sent_is_a_stream_error_xep0198_4()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var a = await LoginAsync(Node, alice);
        await a.EnableStreamManagementAsync();

        await a.AckAsync(10);

        await a.ExpectStreamErrorAsync("undefined-condition");
    }

    [Fact]
    public async Task Resuming_while_the_old_connection_is_still_open_closes_it_with_conflict_xep0198_5()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var first = await LoginAsync(Node, alice, "phone");
        var id = (await first.EnableStreamManagementAsync()).GetAttribute("id")!;

        await using var second = await ConnectAsync(Node, "alice-resumed");
        await second.AuthenticateAsync(alice);
        var resumed = await second.ResumeAsync(id, 0);

        Assert.True(resumed.Is("resumed", XmppNamespaces.StreamManagement), $"Expected <resumed/>, got {resumed}");
        await first.ExpectStreamErrorAsync("conflict");
        Assert.Equal("result", (await second.IqAsync(Iq("get", null, "ping", XmppNamespaces.Ping, out _))).GetAttribute("type"));
    }

    [Fact]
    public async Task A_cleanly_closed_stream_ends_the_session_at_once_even_with_resumption_enabled_xep0198_7()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await Node.MakeMutualContactsAsync(alice, bob);
        await using var b = await OnlineAsync(Node, bob);
        var a = await LoginAsync(Node, alice, "phone");
        var aliceJid = a.FullJid;
        var id = (await a.EnableStreamManagementAsync()).GetAttribute("id")!;
        await a.SendPresenceAsync();
        await b.ReceiveAsync(e => IsPresence(e, aliceJid, null), "alice's initial presence");

        await a.CloseAsync(); // </stream:stream>: "end my session", not a dropped connection

        // XEP-0198 §7: the client closes cleanly "so that the server can send unavailable presence on the client's behalf".
        await b.ReceiveAsync(e => IsPresence(e, aliceJid, "unavailable"), "unavailable from alice after she closed her stream");
        await using var again = await ConnectAsync(Node, "alice-again");
        await again.AuthenticateAsync(alice);
        var failed = await again.ResumeAsync(id, 0);
        Assert.True(failed.Is("failed", XmppNamespaces.StreamManagement), $"A cleanly closed session must not be resumable; got {failed}");
    }

    internal static bool IsMessage(Element e, string id) => e.Name == "message" && e.GetAttribute("id") == id;

    /// <summary>Logs in on resource "phone", enables resumable stream management and sends initial presence.</summary>
    private async Task<(XmppTestClient Client, string Id)> AvailableWithResumptionAsync(TestAccount account)
    {
        var client = await LoginAsync(Node, account, "phone");
        var id = (await client.EnableStreamManagementAsync()).GetAttribute("id")!;
        await client.SendPresenceAsync();
        await client.ReceiveAsync(e => IsPresenceFrom(e, client.FullJid), "the echo of initial presence");
        return (client, id);
    }
}
