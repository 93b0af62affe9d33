using Parley.Server.Presence.Availability;
using Parley.Server.Tests.Sip.Support;
using Parley.Server.Tests.Xmpp.Support;
using Parley.Sip.Messages;
using Model = Parley.Server.Presence.Availability.Availability;

namespace Parley.Server.Tests.Sip.Presence;

/// <summary>SUBSCRIBE/NOTIFY for presence (RFC 6665, RFC 3856) against a running node, with XMPP presentities.</summary>
public sealed class SipSubscribeTests(SipNodeFixture fixture) : IClassFixture<SipNodeFixture>
{
    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task Subscribe_is_answered_200_then_a_notify_carries_the_presentitys_xmpp_presence()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var bobXmpp = await XmppTestClient.OnlineAsync(Node, bob, show: "away", status: "at lunch");
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);
        var dialog = PresenceDialog.For(phone, bob);

        var response = await dialog.SubscribeAsync(600);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("600", response.Headers[SipHeaderNames.Expires]);
        Assert.NotNull(dialog.RemoteTag);
        var notify = await dialog.NextNotifyAsync();
        Assert.Equal("active", notify.State);
        Assert.InRange(notify.Expires!.Value, 590, 600);
        Assert.Equal($"sip:{bob.Jid}", notify.Document!.Entity);
        Assert.Equal(new PresenceState(Model.Away, "at lunch"), notify.Presence);
        Assert.Equal(dialog.RemoteTag, notify.Request.From.Tag);
    }

    [Fact]
    public async Task Every_xmpp_presence_change_is_notified_and_logging_off_sends_a_closed_document()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        var bobXmpp = await XmppTestClient.OnlineAsync(Node, bob);
        await using var phone = await SipTestClient.ConnectAsync(Node, alice, "TCP");
        var dialog = PresenceDialog.For(phone, bob);
        await dialog.SubscribeAsync();
        Assert.Equal(Model.Available, (await dialog.NextNotifyAsync()).Presence!.Availability);

        await bobXmpp.SendPresenceAsync(show: "dnd", status: "in a call");
        var busy = await dialog.NotifyWhereAsync(n => n.Presence?.Availability != Model.Available);
        Assert.Equal(new PresenceState(Model.Busy, "in a call"), busy.Presence);
        Assert.Contains("<rpid:busy/>", System.Text.Encoding.UTF8.GetString(busy.Request.Body.Span), StringComparison.Ordinal);

        await bobXmpp.CloseAsync();
        await bobXmpp.DisposeAsync();
        var offline = await dialog.NotifyWhereAsync(n => n.Presence?.Availability == Model.Offline);
        Assert.Equal("active", offline.State);
        Assert.All(offline.Document!.Tuples, t => Assert.Equal(Parley.Server.Sip.Presence.Pidf.PidfBasic.Closed, t.Basic));
    }

    [Fact]
    public async Task Notify_cseq_increases_within_the_dialog()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var bobXmpp = await XmppTestClient.OnlineAsync(Node, bob);
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);
        var dialog = PresenceDialog.For(phone, bob);
        await dialog.SubscribeAsync();
        var first = await dialog.NextNotifyAsync();

        await bobXmpp.SendPresenceAsync(show: "away");
        var second = await dialog.NotifyWhereAsync(n => n.Presence?.Availability == Model.Away);

        Assert.True(second.Request.CSeq.Number > first.Request.CSeq.Number);
        Assert.Equal(first.Request.CallId, second.Request.CallId);
    }

    [Fact]
    public async Task A_refresh_is_answered_200_and_notified_and_expires_zero_ends_with_a_terminated_notify_carrying_the_state()
    {
        await using var watcher = await SubscribedOverTcpAsync(show: "xa", expires: 600);
        var (bobXmpp, phone, dialog) = (watcher.BobXmpp, watcher.Phone, watcher.Dialog);

        var refreshed = await dialog.RefreshAsync(1200);
        Assert.Equal(200, refreshed.StatusCode);
        Assert.Equal("1200", refreshed.Headers[SipHeaderNames.Expires]);
        var afterRefresh = await dialog.NextNotifyAsync();
        Assert.Equal("active", afterRefresh.State);
        Assert.InRange(afterRefresh.Expires!.Value, 1190, 1200);

        var ended = await dialog.RefreshAsync(0);
        Assert.Equal(200, ended.StatusCode);
        var final = await dialog.NextNotifyAsync();
        Assert.Equal("terminated", final.State);
        Assert.Equal("timeout", final.Reason);
        Assert.Equal(Model.Away, final.Presence!.Availability);

        await bobXmpp.SendPresenceAsync(show: "dnd");
        await phone.AssertNoRequestAsync(SipMethods.Notify);
        Assert.Equal(481, (await dialog.RefreshAsync(600)).StatusCode);
    }

    [Fact]
    public async Task An_unrefreshed_subscription_expires_with_reason_timeout()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);
        var dialog = PresenceDialog.For(phone, bob);
        var seconds = (int)SipNodeFixture.MinExpires.TotalSeconds;

        Assert.Equal(200, (await dialog.SubscribeAsync(seconds)).StatusCode);
        Assert.Equal("active", (await dialog.NextNotifyAsync()).State);

        var final = await dialog.NextNotifyAsync();
        Assert.Equal("terminated", final.State);
        Assert.Equal("timeout", final.Reason);
        Assert.Null(final.Document);
    }

    [Fact]
    public async Task A_watcher_whose_account_is_disabled_is_rejected_without_waiting_for_a_presence_change()
    {
        await using var watcher = await SubscribedOverTcpAsync();
        var (alice, dialog) = (watcher.Alice, watcher.Dialog);

        // Disabled from another process (the test's own store, as the CLI would): the node sees the new revision at
        // its next settings refresh, and bob's presence does not change meanwhile.
        await Node.DisableUserAsync(alice);

        var final = await dialog.NextNotifyAsync();
        Assert.Equal("terminated", final.State);
        Assert.Equal("rejected", final.Reason);
        Assert.Null(final.Document);
    }

    [Fact]
    public async Task A_fetch_gets_the_state_once_in_a_terminated_notify()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var bobXmpp = await XmppTestClient.OnlineAsync(Node, bob, show: "away");
        await using var phone = await SipTestClient.ConnectAsync(Node, alice, "TCP");
        var dialog = PresenceDialog.For(phone, bob);

        Assert.Equal(200, (await dialog.SubscribeAsync(0)).StatusCode);
        var notify = await dialog.NextNotifyAsync();

        Assert.Equal("terminated", notify.State);
        Assert.Equal(Model.Away, notify.Presence!.Availability);
        await bobXmpp.SendPresenceAsync(show: "dnd");
        await phone.AssertNoRequestAsync(SipMethods.Notify);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_fetch_carries_what_the_presentity_published(bool alreadyApproved)
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        if (alreadyApproved)
        {
            await Node.MakeMutualContactsAsync(alice, bob);
        }

        await using var alicePhone = await SipTestClient.ConnectAsync(Node, alice);
        Assert.Equal(200, (await alicePhone.PublishAsync(SipPublisher.Pidf(alicePhone, open: true))).StatusCode);
        await using var bobPhone = await SipTestClient.ConnectAsync(Node, bob);

        // The first fetch of a same-domain watcher is its auto-approved request; the NOTIFY must already see the approval.
        var fetch = PresenceDialog.For(bobPhone, alice);
        Assert.Equal(200, (await fetch.SubscribeAsync(0)).StatusCode);
        var notify = await fetch.NextNotifyAsync();

        Assert.Equal("terminated", notify.State);
        Assert.Equal(Model.Available, notify.Presence!.Availability);
        Assert.Contains(notify.Document!.Tuples, t => t.Basic == Parley.Server.Sip.Presence.Pidf.PidfBasic.Open);

        // And again, now that the pair is known.
        var again = PresenceDialog.For(bobPhone, alice);
        Assert.Equal(200, (await again.SubscribeAsync(0)).StatusCode);
        Assert.Equal(Model.Available, (await again.NextNotifyAsync()).Presence!.Availability);
    }

    [Fact]
    public async Task A_subscribe_between_approved_contacts_leaves_the_engine_alone()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await Node.MakeMutualContactsAsync(alice, bob);
        await using var aliceXmpp = await XmppTestClient.OnlineAsync(Node, alice, show: "away");
        await using var bobXmpp = await XmppTestClient.OnlineAsync(Node, bob);
        await bobXmpp.ReceiveAsync(e => XmppTestClient.IsPresenceFrom(e, aliceXmpp.FullJid), "alice's presence at login");
        await using var bobPhone = await SipTestClient.ConnectAsync(Node, bob);

        var fetch = PresenceDialog.For(bobPhone, alice);
        Assert.Equal(200, (await fetch.SubscribeAsync(0)).StatusCode);
        Assert.Equal(Model.Away, (await fetch.NextNotifyAsync()).Presence!.Availability);

        // Nothing changed, so the engine is not asked: no roster write and no presence re-sent to bob's XMPP client
        // (the engine answers an already-approved subscribe by sending the presentity's presence again).
        await bobXmpp.ExpectNoneAsync(e => XmppTestClient.IsPresenceFrom(e, aliceXmpp.FullJid), "alice's presence sent again", TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_user_may_watch_their_own_presence()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var desk = await XmppTestClient.OnlineAsync(Node, alice, show: "dnd");
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);
        var dialog = PresenceDialog.For(phone, alice);

        await dialog.SubscribeAsync();

        Assert.Equal(Model.Busy, (await dialog.NextNotifyAsync()).Presence!.Availability);
    }

    [Fact]
    public async Task An_unknown_presentity_in_a_hosted_domain_looks_offline_rather_than_missing()
    {
        var alice = await Node.CreateUserAsync("alice");
        var nobody = new TestAccount(Parley.Xmpp.Addressing.Jid.Parse($"nobody-{Guid.NewGuid():N}@{ParleyTestNode.Domain}"), "x");
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);
        var dialog = PresenceDialog.For(phone, nobody);

        Assert.Equal(200, (await dialog.SubscribeAsync()).StatusCode);
        var notify = await dialog.NextNotifyAsync();

        Assert.Equal("active", notify.State);
        Assert.Equal(Model.Offline, notify.Presence!.Availability);
    }

    [Theory]
    [InlineData("message-summary", null, 600, 489, "Allow-Events", "presence")]
    [InlineData(null, null, 600, 489, "Allow-Events", "presence")]
    [InlineData("presence", "text/plain", 600, 406, "Accept", "application/pidf+xml")]
    [InlineData("presence", null, 1, 423, "Min-Expires", "2")]
    public async Task Subscriptions_parley_cannot_serve_are_refused_with_what_would_work(string? @event, string? accept, int expires, int status, string header, string value)
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);
        var dialog = PresenceDialog.For(phone, bob);

        var response = await dialog.SubscribeAsync(expires, request =>
        {
            if (@event is null)
            {
                request.Headers.Remove(SipHeaderNames.Event);
            }
            else
            {
                request.Headers.Set(SipHeaderNames.Event, @event);
            }

            if (accept is not null)
            {
                request.Headers.Set(SipHeaderNames.Accept, accept);
            }
        });

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(value, response.Headers[header]);
        await phone.AssertNoRequestAsync(SipMethods.Notify);
    }

    [Fact]
    public async Task A_refused_subscription_raises_an_event_naming_watcher_and_reason()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);

        await PresenceDialog.For(phone, bob).SubscribeAsync(600, request => request.Headers.Set(SipHeaderNames.Event, "dialog"));

        var raised = await Node.WaitForEventAsync(Parley.Server.Diagnostics.ParleyEvents.SipPresence.SubscriptionRefused.Id, since,
            e => e.Message.Contains(alice.Jid.ToString(), StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the refusal event");
        Assert.Contains("489", raised.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_watcher_that_answers_481_loses_the_subscription()
    {
        await using var watcher = await SubscribedOverTcpAsync();
        var (bobXmpp, phone, dialog) = (watcher.BobXmpp, watcher.Phone, watcher.Dialog);

        phone.AnswerStatus = 481;
        await bobXmpp.SendPresenceAsync(show: "away");
        await dialog.NextNotifyAsync();
        await bobXmpp.SendPresenceAsync(show: "dnd");

        await phone.AssertNoRequestAsync(SipMethods.Notify);
        phone.AnswerStatus = 200;
        Assert.Equal(481, (await dialog.RefreshAsync(600)).StatusCode);
    }

    [Fact]
    public async Task A_watcher_that_does_not_answer_keeps_its_subscription_for_the_next_change()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        await using var watcher = await SubscribedOverTcpAsync();
        var (alice, bobXmpp, phone, dialog) = (watcher.Alice, watcher.BobXmpp, watcher.Phone, watcher.Dialog);

        phone.AnswerStatus = 0;
        await bobXmpp.SendPresenceAsync(show: "away");
        await dialog.NextNotifyAsync();
        await Node.WaitForEventAsync(Parley.Server.Diagnostics.ParleyEvents.SipPresence.NotifyFailed.Id, since,
            e => e.Message.Contains(alice.Jid.ToString(), StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the NOTIFY timing out");

        phone.AnswerStatus = 200;
        await bobXmpp.SendPresenceAsync(show: "dnd");
        Assert.Equal(Model.Busy, (await dialog.NotifyWhereAsync(n => n.Presence?.Availability == Model.Busy)).Presence!.Availability);
    }

    [Fact]
    public async Task A_watcher_that_keeps_failing_is_dropped_after_the_limit_with_an_event()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        await using var watcher = await SubscribedOverTcpAsync();
        var (alice, bobXmpp, phone, dialog) = (watcher.Alice, watcher.BobXmpp, watcher.Phone, watcher.Dialog);

        phone.AnswerStatus = 500;
        string[] shows = ["away", "dnd", "xa"];
        foreach (var show in shows)
        {
            await bobXmpp.SendPresenceAsync(show: show);
            await dialog.NextNotifyAsync();
        }

        await Node.WaitForEventAsync(Parley.Server.Diagnostics.ParleyEvents.SipPresence.SubscriptionAbandoned.Id, since,
            e => e.Message.Contains(alice.Jid.ToString(), StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the subscription being abandoned");
        await bobXmpp.SendPresenceAsync(show: "chat");
        await phone.AssertNoRequestAsync(SipMethods.Notify);
    }

    /// <summary>
    /// The arrange most of these tests share: bob online over XMPP, alice's phone over TCP subscribed to bob, and the
    /// first NOTIFY read.
    /// </summary>
    private async Task<SubscribedWatcher> SubscribedOverTcpAsync(string? show = null, int? expires = 600)
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        var bobXmpp = await XmppTestClient.OnlineAsync(Node, bob, show: show);
        var phone = await SipTestClient.ConnectAsync(Node, alice, "TCP");
        var dialog = PresenceDialog.For(phone, bob);
        await dialog.SubscribeAsync(expires);
        await dialog.NextNotifyAsync();
        return new SubscribedWatcher(alice, bobXmpp, phone, dialog);
    }

    private sealed record SubscribedWatcher(TestAccount Alice, XmppTestClient BobXmpp, SipTestClient Phone, PresenceDialog Dialog) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Phone.DisposeAsync();
            await BobXmpp.DisposeAsync();
        }
    }
}
