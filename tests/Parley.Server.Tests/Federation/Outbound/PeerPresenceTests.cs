using System.Text;
using Parley.Server.Federation.Outbound;
using Parley.Server.Management.Documents;
using Parley.Server.Storage;
using Parley.Sip.Messages;
using Parley.Xmpp;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Xml;

namespace Parley.Server.Tests.Federation.Outbound;

/// <summary>
/// The presence gateway: an XMPP subscribe to a peer user becomes a SIP SUBSCRIBE by the static route; the peer's
/// NOTIFYs become XMPP presence through the seed's mapping tables; unsubscribe is Expires: 0; a 403 is "unsubscribed";
/// the subscription is stored and sent again after a restart.
/// </summary>
public sealed class PeerPresenceTests : IAsyncLifetime
{
    private readonly FederationHarness _harness = new();
    private FakePeer _peer = null!;
    private Jid _alice = null!;
    private readonly Jid _bob = Jid.Parse("bob@example.com");

    public async Task InitializeAsync()
    {
        await _harness.StartAsync();
        _peer = FakePeer.Start();
        _harness.Federate(PeerFlavour.Lync, ("example.com", _peer.Port, 1));
        _alice = await _harness.CreateUserAsync("alice");
    }

    public async Task DisposeAsync()
    {
        await _harness.DisposeAsync();
        await _peer.DisposeAsync();
    }

    [Fact]
    public async Task Subscribe_to_a_peer_user_sends_a_presence_subscribe_and_its_200_is_subscribed()
    {
        var alice = await _harness.OnlineAsync(_alice);

        await alice.SendPresenceAsync("subscribe", _bob);

        var subscribe = await _peer.NextAsync(SipMethods.Subscribe);
        Assert.Equal($"sip:bob@{FederationHarness.Domain}", subscribe.RequestUri.ToString());
        Assert.Equal(_alice.Local, subscribe.From.Uri.User);
        Assert.Equal("presence", subscribe.Headers[SipHeaderNames.Event]);
        Assert.Equal("application/pidf+xml", subscribe.Headers[SipHeaderNames.Accept]);
        Assert.Equal(3600, subscribe.Expires);
        await alice.ReceiveAsync(e => e.Name == "presence" && e.GetAttribute("type") == "subscribed" && e.GetAttribute("from") == _bob.ToString(), "subscribed from the peer user");
        var roster = await _harness.Get<ParleyStore>().Rosters.GetAsync(_alice, CancellationToken.None);
        Assert.True(Assert.Single(roster.Items, i => i.Contact == _bob).IsWatched);
    }

    [Theory]
    [InlineData(null, "open", null, null, null)]
    [InlineData("away", "open", "away", null, null)]
    [InlineData("lunch", "open", "away", null, null)]
    [InlineData("busy", "open", "dnd", null, null)]
    [InlineData("on-the-phone", "open", "dnd", "On the phone", null)]
    [InlineData("meeting", "open", "dnd", "In a meeting", null)]
    [InlineData(null, "closed", null, null, "unavailable")]
    public async Task A_notify_from_the_peer_becomes_mapped_xmpp_presence(string? activity, string basic, string? show, string? status, string? type)
    {
        var alice = await SubscribedAsync();
        var subscribe = await _peer.NextAsync(SipMethods.Subscribe);

        var response = await NotifyAsync(subscribe.CallId, "active;expires=3600", Pidf(basic, activity, note: null));

        Assert.Equal(200, response.StatusCode);
        var presence = await alice.ReceiveAsync(e => e.Name == "presence" && e.GetAttribute("type") is null or "unavailable" && e.GetAttribute("from")!.StartsWith(_bob.ToString(), StringComparison.Ordinal), "the peer user's presence");
        Assert.Equal(type, presence.GetAttribute("type"));
        Assert.Equal(show, presence.ChildText("show", XmppNamespaces.Client));
        Assert.Equal(status, presence.ChildText("status", XmppNamespaces.Client));
    }

    [Fact]
    public async Task A_note_becomes_the_status_text()
    {
        var alice = await SubscribedAsync();
        var subscribe = await _peer.NextAsync(SipMethods.Subscribe);

        await NotifyAsync(subscribe.CallId, "active;expires=3600", Pidf("open", "away", "back at 3"));

        var presence = await alice.ReceiveAsync(e => e.Name == "presence" && e.GetAttribute("type") is null && e.ChildText("show", XmppNamespaces.Client) == "away", "away presence");
        Assert.Equal("back at 3", presence.ChildText("status", XmppNamespaces.Client));
    }

    [Fact]
    public async Task A_new_session_gets_the_last_notified_presence_of_a_peer_contact()
    {
        var laptop = await SubscribedAsync();
        var subscribe = await _peer.NextAsync(SipMethods.Subscribe);
        await NotifyAsync(subscribe.CallId, "active;expires=3600", Pidf("open", "busy", null));
        await laptop.ReceiveAsync(e => e.Name == "presence" && e.ChildText("show", XmppNamespaces.Client) == "dnd", "the peer contact's presence");

        var phone = await _harness.OnlineAsync(_alice, "phone");

        await phone.ReceiveAsync(e => e.Name == "presence" && e.ChildText("show", XmppNamespaces.Client) == "dnd", "the peer contact's presence (probe answered)");
    }

    [Fact]
    public async Task Unsubscribe_sends_subscribe_with_expires_zero_in_the_dialog()
    {
        var alice = await SubscribedAsync();
        var subscribe = await _peer.NextAsync(SipMethods.Subscribe);

        await alice.SendPresenceAsync("unsubscribe", _bob);

        var unsubscribe = await _peer.NextAsync(SipMethods.Subscribe);
        Assert.Equal(subscribe.CallId, unsubscribe.CallId);
        Assert.NotNull(unsubscribe.To.Tag);
        Assert.Equal(0, unsubscribe.Expires);
        Assert.Equal(0, _harness.Get<PeerPresenceSubscriptions>().Count);
    }

    [Fact]
    public async Task A_403_to_the_subscribe_is_unsubscribed_for_the_xmpp_user()
    {
        _peer.Answer = request => request.Method == SipMethods.Subscribe ? 403 : 200;
        var alice = await _harness.OnlineAsync(_alice);

        await alice.SendPresenceAsync("subscribe", _bob);

        await alice.ReceiveAsync(e => e.Name == "presence" && e.GetAttribute("type") == "unsubscribed" && e.GetAttribute("from") == _bob.ToString(), "unsubscribed from the peer user");
        Assert.Single(_harness.Events.Raised, e => e.Definition == Parley.Server.Diagnostics.ParleyEvents.Federation.PeerSubscriptionFailed);
        Assert.Equal(0, _harness.Get<PeerPresenceSubscriptions>().Count);
    }

    [Fact]
    public async Task A_terminated_rejected_notify_ends_the_subscription()
    {
        var alice = await SubscribedAsync();
        var subscribe = await _peer.NextAsync(SipMethods.Subscribe);

        await NotifyAsync(subscribe.CallId, "terminated;reason=rejected", null);

        await alice.ReceiveAsync(e => e.Name == "presence" && e.GetAttribute("type") == "unsubscribed", "unsubscribed after the rejection");
        await _peer.ExpectNoneAsync(SipMethods.Subscribe, TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task A_deactivated_subscription_is_established_again_at_once()
    {
        await SubscribedAsync();
        var subscribe = await _peer.NextAsync(SipMethods.Subscribe);

        Assert.Equal(200, (await NotifyAsync(subscribe.CallId, "terminated;reason=deactivated", null)).StatusCode);

        var again = await _peer.NextAsync(SipMethods.Subscribe);
        Assert.NotEqual(subscribe.CallId, again.CallId);
        Assert.Null(again.To.Tag);
    }

    [Fact]
    public async Task A_stored_subscription_is_sent_again_at_once_after_a_restart()
    {
        await SubscribedAsync();
        var first = await _peer.NextAsync(SipMethods.Subscribe);

        await _harness.RestartAsync();

        var again = await _peer.NextAsync(SipMethods.Subscribe);
        Assert.NotEqual(first.CallId, again.CallId);
        Assert.Null(again.To.Tag);
        Assert.Equal(_alice.Local, again.From.Uri.User);
    }

    [Fact]
    public async Task A_notify_outside_any_subscription_is_answered_481()
    {
        await SubscribedAsync();
        var subscribe = await _peer.NextAsync(SipMethods.Subscribe);
        await _harness.Get<PeerPresenceSubscriptions>().UnsubscribeAsync(_alice, _bob, CancellationToken.None);

        var response = await NotifyAsync(subscribe.CallId, "active;expires=3600", Pidf("open", null, null));

        Assert.Equal(481, response.StatusCode);
    }

    [Fact]
    public async Task The_subscription_is_refreshed_in_its_dialog_before_it_expires()
    {
        _peer.GrantedExpires = 2;
        await SubscribedAsync();
        var subscribe = await _peer.NextAsync(SipMethods.Subscribe);

        var refresh = await _peer.NextAsync(SipMethods.Subscribe, TimeSpan.FromSeconds(5));

        Assert.Equal(subscribe.CallId, refresh.CallId);
        Assert.NotNull(refresh.To.Tag);
        Assert.True(refresh.CSeq.Number > subscribe.CSeq.Number);
    }

    [Fact]
    public async Task An_unreachable_peer_is_retried_until_it_answers_with_one_event()
    {
        _peer.Answer = _ => 503;
        var alice = await _harness.OnlineAsync(_alice);
        await alice.SendPresenceAsync("subscribe", _bob);
        await _peer.NextAsync(SipMethods.Subscribe);
        await _peer.NextAsync(SipMethods.Subscribe); // the retry (1 s in the harness)

        _peer.Answer = _ => 200;

        await alice.ReceiveAsync(e => e.Name == "presence" && e.GetAttribute("type") == "subscribed", "subscribed once the peer answers");
        Assert.Single(_harness.Events.Raised, e => e.Definition == Parley.Server.Diagnostics.ParleyEvents.Federation.PeerSubscriptionFailed);
    }

    [Fact]
    public async Task A_notify_with_an_unreadable_document_is_answered_400_and_changes_nothing()
    {
        var alice = await SubscribedAsync();
        var subscribe = await _peer.NextAsync(SipMethods.Subscribe);

        var response = await NotifyAsync(subscribe.CallId, "active;expires=3600", "<presence xmlns='urn:ietf:params:xml:ns:pidf'><tuple");

        Assert.Equal(400, response.StatusCode);
        Assert.Equal(200, (await NotifyAsync(subscribe.CallId, "active;expires=3600", Pidf("open", "away", null))).StatusCode);
        await alice.ReceiveAsync(e => e.Name == "presence" && e.ChildText("show", XmppNamespaces.Client) == "away", "the next, valid presence");
    }

    private async Task<TestSession> SubscribedAsync()
    {
        var alice = await _harness.OnlineAsync(_alice);
        await alice.SendPresenceAsync("subscribe", _bob);
        await alice.ReceiveAsync(e => e.Name == "presence" && e.GetAttribute("type") == "subscribed", "subscribed");
        return alice;
    }

    private Task<SipResponse> NotifyAsync(string callId, string state, string? pidf)
        => _peer.SendInDialogAsync(callId, SipMethods.Notify, request =>
        {
            request.Headers.Set(SipHeaderNames.Event, "presence");
            request.Headers.Set(SipHeaderNames.SubscriptionState, state);
            if (pidf is not null)
            {
                request.ContentType = "application/pidf+xml";
                request.Body = Encoding.UTF8.GetBytes(pidf);
            }
        }, _harness.SipEndPoint);

    private string Pidf(string basic, string? activity, string? note)
        => $"""
           <?xml version="1.0" encoding="UTF-8"?>
           <presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:{_bob}">
             <tuple id="t1"><status><basic>{basic}</basic></status></tuple>
             {(activity is null && note is null ? string.Empty : $"<dm:person id=\"p1\">{(activity is null ? string.Empty : $"<rpid:activities><rpid:{activity}/></rpid:activities>")}{(note is null ? string.Empty : $"<dm:note>{note}</dm:note>")}</dm:person>")}
           </presence>
           """;
}
