using Parley.Server.Sip.Presence.Subscriptions;
using Parley.Sip.Messages;

namespace Parley.Server.Tests.Sip.Presence;

public sealed class SubscriptionDialogTests
{
    private static SipRequest Subscribe(params string[] recordRoutes)
    {
        var request = SipRequest.Create(SipMethods.Subscribe, SipUri.Parse("sip:bob@example.com"));
        request.Headers.Add(SipHeaderNames.From, "\"Alice\" <sip:alice@example.com>;tag=watcher-tag");
        request.Headers.Add(SipHeaderNames.To, "<sip:bob@example.com>");
        request.Headers.Add(SipHeaderNames.CallId, "call-1@host");
        request.Headers.Add(SipHeaderNames.CSeq, "7 SUBSCRIBE");
        request.Headers.Add(SipHeaderNames.Contact, "<sip:alice@192.0.2.5:5070;transport=tcp>");
        foreach (var route in recordRoutes)
        {
            request.Headers.Add(SipHeaderNames.RecordRoute, route);
        }

        return request;
    }

    [Fact]
    public void A_notify_is_addressed_to_the_watchers_contact_from_our_tag_to_theirs_with_increasing_cseq()
    {
        var dialog = SubscriptionDialog.CreateAsNotifier(Subscribe(), "our-tag", isSecure: false)!;

        var first = dialog.CreateRequest(SipMethods.Notify);
        var second = dialog.CreateRequest(SipMethods.Notify);

        Assert.Equal("sip:alice@192.0.2.5:5070;transport=tcp", first.RequestUri.ToString());
        Assert.Equal("our-tag", first.From.Tag);
        Assert.Equal("sip:bob@example.com", first.From.Uri.ToString());
        Assert.Equal("watcher-tag", first.To.Tag);
        Assert.Equal("Alice", first.To.DisplayName);
        Assert.Equal("call-1@host", first.CallId);
        Assert.Equal(new CSeqHeader(1, SipMethods.Notify), first.CSeq);
        Assert.Equal(2u, second.CSeq.Number);
        Assert.False(first.Headers.Contains(SipHeaderNames.Route));
    }

    [Fact]
    public void Loose_routes_are_kept_in_order_and_the_target_stays_the_request_uri()
    {
        var dialog = SubscriptionDialog.CreateAsNotifier(Subscribe("<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"), "t", false)!;

        var notify = dialog.CreateRequest(SipMethods.Notify);

        Assert.Equal("sip:alice@192.0.2.5:5070;transport=tcp", notify.RequestUri.ToString());
        Assert.Equal(["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"], notify.Headers.GetValues(SipHeaderNames.Route));
    }

    [Fact]
    public void A_strict_router_becomes_the_request_uri_and_the_target_the_last_route()
    {
        var dialog = SubscriptionDialog.CreateAsNotifier(Subscribe("<sip:strict.example.com>", "<sip:p2.example.com;lr>"), "t", false)!;

        var notify = dialog.CreateRequest(SipMethods.Notify);

        Assert.Equal("sip:strict.example.com", notify.RequestUri.ToString());
        Assert.Equal(["<sip:p2.example.com;lr>", "<sip:alice@192.0.2.5:5070;transport=tcp>"], notify.Headers.GetValues(SipHeaderNames.Route));
    }

    [Fact]
    public void Subscribe_requests_without_a_from_tag_or_with_no_or_several_contacts_make_no_dialog()
    {
        var noTag = Subscribe();
        noTag.Headers.Set(SipHeaderNames.From, "<sip:alice@example.com>");
        Assert.Null(SubscriptionDialog.CreateAsNotifier(noTag, "t", false));

        var noContact = Subscribe();
        noContact.Headers.Remove(SipHeaderNames.Contact);
        Assert.Null(SubscriptionDialog.CreateAsNotifier(noContact, "t", false));

        var twoContacts = Subscribe();
        twoContacts.Headers.Add(SipHeaderNames.Contact, "<sip:alice@192.0.2.6>");
        Assert.Null(SubscriptionDialog.CreateAsNotifier(twoContacts, "t", false));

        var badRoute = Subscribe("<not a uri");
        Assert.Null(SubscriptionDialog.CreateAsNotifier(badRoute, "t", false));
    }

    [Fact]
    public void Requests_with_a_lower_cseq_are_out_of_order()
    {
        var dialog = SubscriptionDialog.CreateAsNotifier(Subscribe(), "t", false)!;

        Assert.False(dialog.AcceptRemoteSequence(6));
        Assert.True(dialog.AcceptRemoteSequence(9));
        Assert.False(dialog.AcceptRemoteSequence(8));
        Assert.Equal(9u, dialog.RemoteSequence);
    }

    [Fact]
    public void A_restored_dialog_continues_past_the_skipped_sequence()
    {
        var dialog = SubscriptionDialog.CreateAsNotifier(Subscribe(), "t", false)!;
        dialog.SkipLocalSequenceTo(150);
        dialog.SkipLocalSequenceTo(100);

        Assert.Equal(151u, dialog.CreateRequest(SipMethods.Notify).CSeq.Number);
    }
}
