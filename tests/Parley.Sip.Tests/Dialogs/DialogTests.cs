using Parley.Sip.Dialogs;
using Parley.Sip.Messages;
using Parley.Sip.Parsing;

namespace Parley.Sip.Tests.Dialogs;

public sealed class DialogTests
{
    [Fact]
    public void Uas_dialog_takes_record_route_in_order_contact_as_target_and_the_remote_cseq()
    {
        var (invite, ok) = Exchange();

        var dialog = Dialog.CreateAsUas(invite, ok);

        Assert.Equal(new DialogId("call-7@client", "bob-tag", "alice-tag"), dialog.Id);
        Assert.Equal(DialogId.ForIncoming(Bye(dialog.Id)), dialog.Id);
        Assert.Equal(0u, dialog.LocalSequence);
        Assert.Equal(314u, dialog.RemoteSequence);
        Assert.Equal("sip:alice@192.0.2.10:5070;transport=tcp", dialog.RemoteTarget.ToString());
        Assert.Equal(["sip:p1.example.com;lr", "sip:p2.example.net;lr"], dialog.RouteSet.Select(r => r.Uri.ToString()));
        Assert.Equal("alice-tag", dialog.RemoteParty.Tag);
        Assert.Equal("bob-tag", dialog.LocalParty.Tag);
        Assert.False(dialog.IsSecure);
    }

    [Fact]
    public void Uac_dialog_reverses_record_route_and_keeps_the_local_cseq()
    {
        var (invite, ok) = Exchange();

        var dialog = Dialog.CreateAsUac(invite, ok);

        Assert.Equal(new DialogId("call-7@client", "alice-tag", "bob-tag"), dialog.Id);
        Assert.Equal(DialogId.ForResponse(ok), dialog.Id);
        Assert.Equal(314u, dialog.LocalSequence);
        Assert.Null(dialog.RemoteSequence);
        Assert.Equal("sip:bob@198.51.100.5", dialog.RemoteTarget.ToString());
        Assert.Equal(["sip:p2.example.net;lr", "sip:p1.example.com;lr"], dialog.RouteSet.Select(r => r.Uri.ToString()));
    }

    [Fact]
    public void In_dialog_requests_target_the_contact_carry_the_route_set_tags_and_the_next_cseq()
    {
        var (invite, ok) = Exchange();
        var dialog = Dialog.CreateAsUac(invite, ok);

        var message = dialog.CreateRequest(SipMethods.Message);
        var bye = dialog.CreateRequest(SipMethods.Bye);

        Assert.Equal("sip:bob@198.51.100.5", message.RequestUri.ToString());
        Assert.Equal(["<sip:p2.example.net;lr>", "<sip:p1.example.com;lr>"], message.Headers.GetValues(SipHeaderNames.Route));
        Assert.Equal("alice-tag", message.From.Tag);
        Assert.Equal("bob-tag", message.To.Tag);
        Assert.Equal("call-7@client", message.CallId);
        Assert.Equal(new CSeqHeader(315, SipMethods.Message), message.CSeq);
        Assert.Equal(new CSeqHeader(316, SipMethods.Bye), bye.CSeq);
        Assert.Equal(70, message.MaxForwards);
        Assert.False(message.Headers.Contains(SipHeaderNames.Via));
    }

    [Fact]
    public void Ack_reuses_the_invite_cseq_number()
    {
        var (invite, ok) = Exchange();
        var dialog = Dialog.CreateAsUac(invite, ok);

        var ack = dialog.CreateRequest(SipMethods.Ack);

        Assert.Equal(new CSeqHeader(314, SipMethods.Ack), ack.CSeq);
        Assert.Equal(314u, dialog.LocalSequence);
    }

    [Fact]
    public void Uas_first_request_starts_the_empty_local_sequence()
    {
        var (invite, ok) = Exchange();
        var dialog = Dialog.CreateAsUas(invite, ok);

        var info = dialog.CreateRequest(SipMethods.Info);

        Assert.Equal(1u, info.CSeq.Number);
        Assert.Equal("sip:alice@192.0.2.10:5070;transport=tcp", info.RequestUri.ToString());
        Assert.Equal("alice-tag", info.To.Tag);
        Assert.Equal("bob-tag", info.From.Tag);
        Assert.Equal(["<sip:p1.example.com;lr>", "<sip:p2.example.net;lr>"], info.Headers.GetValues(SipHeaderNames.Route));
    }

    [Fact]
    public void A_strict_router_becomes_the_request_uri_and_the_target_the_last_route()
    {
        var (invite, ok) = Exchange();
        ok.Headers.Set(SipHeaderNames.RecordRoute, "<sip:p1.example.com;lr>, <sip:strict.example.org>"); // reversed: strict is first
        var dialog = Dialog.CreateAsUac(invite, ok);

        var bye = dialog.CreateRequest(SipMethods.Bye);

        Assert.Equal("sip:strict.example.org", bye.RequestUri.ToString());
        Assert.Equal(["<sip:p1.example.com;lr>", "<sip:bob@198.51.100.5>"], bye.Headers.GetValues(SipHeaderNames.Route));
    }

    [Fact]
    public void Remote_cseq_lower_than_the_last_is_refused_equal_or_higher_accepted()
    {
        var (invite, ok) = Exchange();
        var dialog = Dialog.CreateAsUas(invite, ok);

        Assert.False(dialog.AcceptRemoteSequence(313));
        Assert.True(dialog.AcceptRemoteSequence(314));
        Assert.True(dialog.AcceptRemoteSequence(400));
        Assert.False(dialog.AcceptRemoteSequence(399));
        Assert.Equal(400u, dialog.RemoteSequence);
    }

    [Fact]
    public void Uac_accepts_any_first_remote_cseq()
    {
        var (invite, ok) = Exchange();
        var dialog = Dialog.CreateAsUac(invite, ok);

        Assert.True(dialog.AcceptRemoteSequence(1));
        Assert.Equal(1u, dialog.RemoteSequence);
    }

    [Fact]
    public void Target_refresh_replaces_the_remote_target()
    {
        var (invite, ok) = Exchange();
        var dialog = Dialog.CreateAsUas(invite, ok);
        var reinvite = Bye(dialog.Id);
        reinvite.Headers.Add(SipHeaderNames.Contact, "<sip:alice@203.0.113.9:5080>");

        dialog.RefreshRemoteTarget(reinvite);

        Assert.Equal("sip:alice@203.0.113.9:5080", dialog.CreateRequest(SipMethods.Bye).RequestUri.ToString());
    }

    [Fact]
    public void Sips_request_uri_makes_a_secure_dialog()
    {
        var (invite, ok) = Exchange("sips:bob@example.com");

        Assert.True(Dialog.CreateAsUas(invite, ok).IsSecure);
    }

    [Fact]
    public void Response_without_to_tag_or_contact_cannot_create_a_dialog()
    {
        var (invite, ok) = Exchange();
        ok.Headers.Set(SipHeaderNames.To, "<sip:bob@example.com>");
        Assert.Throws<SipParseException>(() => Dialog.CreateAsUac(invite, ok));

        var (invite2, ok2) = Exchange();
        ok2.Headers.Remove(SipHeaderNames.Contact);
        Assert.Equal(SipRejectionReason.MissingRequiredHeader, Assert.Throws<SipParseException>(() => Dialog.CreateAsUac(invite2, ok2)).Reason);

        var (invite3, _) = Exchange();
        Assert.Throws<ArgumentException>(() => Dialog.CreateAsUas(invite3, SipResponse.CreateFor(invite3, 486, toTag: "x")));
    }

    [Fact]
    public void Cancel_is_not_built_from_a_dialog()
    {
        var (invite, ok) = Exchange();

        Assert.Throws<ArgumentException>(() => Dialog.CreateAsUac(invite, ok).CreateRequest(SipMethods.Cancel));
    }

    private static (SipRequest Invite, SipResponse Ok) Exchange(string requestUri = "sip:bob@example.com")
    {
        var invite = SipRequest.Create(SipMethods.Invite, SipUri.Parse(requestUri));
        invite.Headers.Add(SipHeaderNames.Via, "SIP/2.0/TCP 192.0.2.10:5070;branch=z9hG4bK-dlg");
        invite.Headers.Add(SipHeaderNames.MaxForwards, "70");
        invite.Headers.Add(SipHeaderNames.RecordRoute, "<sip:p1.example.com;lr>");
        invite.Headers.Add(SipHeaderNames.RecordRoute, "<sip:p2.example.net;lr>");
        invite.Headers.Add(SipHeaderNames.From, "\"Alice\" <sip:alice@example.com>;tag=alice-tag");
        invite.Headers.Add(SipHeaderNames.To, "<sip:bob@example.com>");
        invite.Headers.Add(SipHeaderNames.CallId, "call-7@client");
        invite.Headers.Add(SipHeaderNames.CSeq, "314 INVITE");
        invite.Headers.Add(SipHeaderNames.Contact, "<sip:alice@192.0.2.10:5070;transport=tcp>");

        var ok = SipResponse.CreateFor(invite, 200, toTag: "bob-tag"); // copies the invite's Record-Route (§12.1.1)
        ok.Headers.Add(SipHeaderNames.Contact, "<sip:bob@198.51.100.5>");
        return (invite, ok);
    }

    private static SipRequest Bye(DialogId id)
    {
        var bye = SipRequest.Create(SipMethods.Bye, SipUri.Parse("sip:bob@198.51.100.5"));
        bye.Headers.Add(SipHeaderNames.From, $"<sip:alice@example.com>;tag={id.RemoteTag}");
        bye.Headers.Add(SipHeaderNames.To, $"<sip:bob@example.com>;tag={id.LocalTag}");
        bye.Headers.Add(SipHeaderNames.CallId, id.CallId);
        bye.Headers.Add(SipHeaderNames.CSeq, "315 BYE");
        return bye;
    }
}
