using System.Text;
using Parley.Server.Presence.Availability;
using Parley.Server.Sip.Presence;
using Parley.Server.Sip.Presence.Pidf;
using Parley.Xmpp;
using Parley.Xmpp.Xml;
using Model = Parley.Server.Presence.Availability.Availability;

namespace Parley.Server.Tests.Sip.Presence;

/// <summary>PIDF/RPID ↔ the canonical model ↔ XMPP, one theory row per table row.</summary>
public sealed class SipPresenceMappingTests
{
    private const string Entity = "sip:alice@example.com";

    [Theory]
    [InlineData("open", Model.Available)]
    [InlineData("closed", Model.Offline)]
    [InlineData("away", Model.Away)]
    [InlineData("appointment", Model.Away)]
    [InlineData("vacation", Model.Away)]
    [InlineData("holiday", Model.Away)]
    [InlineData("travel", Model.Away)]
    [InlineData("in-transit", Model.Away)]
    [InlineData("sleeping", Model.Away)]
    [InlineData("shopping", Model.Away)]
    [InlineData("breakfast", Model.BeRightBack)]
    [InlineData("lunch", Model.BeRightBack)]
    [InlineData("dinner", Model.BeRightBack)]
    [InlineData("meal", Model.BeRightBack)]
    [InlineData("busy", Model.Busy)]
    [InlineData("on-the-phone", Model.OnThePhone)]
    [InlineData("meeting", Model.InAMeeting)]
    [InlineData("presentation", Model.InAMeeting)]
    [InlineData("performance", Model.InAMeeting)]
    [InlineData("permanent-absence", Model.Offline)]
    [InlineData("working", Model.Available)]
    [InlineData("unknown", Model.Available)]
    [InlineData("other", Model.Available)]
    public void Pidf_rpid_to_parley_table(string token, Model expected)
        => Assert.Equal(expected.ToString(), AvailabilityTables.PidfRpidToParley.Map(token));

    [Fact]
    public void Pidf_rpid_to_parley_tests_cover_every_row()
        => Assert.Equal(23, AvailabilityTables.PidfRpidToParley.Rows.Count);

    [Theory]
    [InlineData(Model.Available, "open")]
    [InlineData(Model.Away, "away")]
    [InlineData(Model.BeRightBack, "away")]
    [InlineData(Model.Busy, "busy")]
    [InlineData(Model.DoNotDisturb, "busy")]
    [InlineData(Model.OnThePhone, "on-the-phone")]
    [InlineData(Model.InAMeeting, "meeting")]
    [InlineData(Model.AppearOffline, "closed")]
    [InlineData(Model.Offline, "closed")]
    public void Parley_to_pidf_rpid_table(Model availability, string token)
        => Assert.Equal(token, AvailabilityTables.ParleyToPidfRpid.Map(availability.ToString()));

    [Fact]
    public void Every_availability_has_an_outbound_sip_row()
    {
        Assert.Equal(Enum.GetValues<Model>().Length, AvailabilityTables.ParleyToPidfRpid.Rows.Count);
        foreach (var availability in Enum.GetValues<Model>())
        {
            Assert.True(AvailabilityTables.ParleyToPidfRpid.TryMap(availability.ToString(), out _), availability.ToString());
        }
    }

    /// <summary>A SIP client's state seen by an XMPP contact: PIDF → model → show/status (RFC 7248 with the seed's collapsing).</summary>
    [Theory]
    [InlineData("open", null, false, null, null)]
    [InlineData("open", "away", false, "away", null)]
    [InlineData("open", "appointment", false, "away", null)]
    [InlineData("open", "vacation", false, "away", null)]
    [InlineData("open", "lunch", false, "away", null)]
    [InlineData("open", "busy", false, "dnd", null)]
    [InlineData("open", "on-the-phone", false, "dnd", "On the phone")]
    [InlineData("open", "meeting", false, "dnd", "In a meeting")]
    [InlineData("open", "permanent-absence", true, null, null)]
    [InlineData("open", "no-such-activity", false, null, null)]
    [InlineData("closed", null, true, null, null)]
    [InlineData("closed", "busy", true, null, null)]
    public void Sip_publication_to_xmpp_presence(string basic, string? activity, bool unavailable, string? show, string? status)
    {
        var document = Document(basic, activity, note: null);
        var presence = SipPresenceMapping.ToXmppPresence(SipPresenceMapping.ToState(document));

        Assert.Equal("presence", presence.Name);
        Assert.Equal(XmppNamespaces.Client, presence.Namespace);
        Assert.Equal(unavailable ? "unavailable" : null, presence.GetAttribute("type"));
        Assert.Equal(show, presence.ChildText("show", XmppNamespaces.Client));
        Assert.Equal(status, presence.ChildText("status", XmppNamespaces.Client));
    }

    [Fact]
    public void The_publishers_note_becomes_the_status_and_wins_over_labels()
    {
        var state = SipPresenceMapping.ToState(Document("open", "on-the-phone", "with a customer"));
        Assert.Equal(new PresenceState(Model.OnThePhone, "with a customer"), state);
        Assert.Equal("with a customer", SipPresenceMapping.ToXmppPresence(state).ChildText("status", XmppNamespaces.Client));
    }

    [Fact]
    public void Notes_are_taken_from_person_then_presence_then_open_tuple()
    {
        var tupleOnly = new PidfDocument(Entity, [new PidfTuple("t", PidfBasic.Open, null, "tuple", [])], null, null);
        Assert.Equal("tuple", SipPresenceMapping.ToState(tupleOnly).Note);
        Assert.Equal("presence", SipPresenceMapping.ToState(tupleOnly with { Note = "presence" }).Note);
        Assert.Equal("person", SipPresenceMapping.ToState(tupleOnly with { Note = "presence", Person = new PidfPerson(null, [], "person") }).Note);
    }

    [Fact]
    public void Any_open_tuple_makes_the_presentity_open()
    {
        var document = new PidfDocument(Entity, [new PidfTuple("a", PidfBasic.Closed, null, null, []), new PidfTuple("b", PidfBasic.Open, null, null, [])], null, null);
        Assert.Equal(Model.Available, SipPresenceMapping.ToState(document).Availability);
        Assert.Equal(Model.Offline, SipPresenceMapping.ToState(document with { Tuples = [document.Tuples[0]] }).Availability);
        Assert.Equal(Model.Offline, SipPresenceMapping.ToState(document with { Tuples = [] }).Availability);
    }

    [Fact]
    public void A_person_only_document_is_open_when_it_has_activities()
    {
        var document = new PidfDocument(Entity, [], new PidfPerson(null, ["busy"], null), null);
        Assert.Equal(Model.Busy, SipPresenceMapping.ToState(document).Availability);
    }

    [Fact]
    public void Several_activities_resolve_to_the_least_reachable()
    {
        var document = new PidfDocument(Entity, [new PidfTuple("t", PidfBasic.Open, null, null, [])], new PidfPerson(null, ["working", "away", "on-the-phone"], null), null);
        Assert.Equal(Model.OnThePhone, SipPresenceMapping.ToState(document).Availability);
    }

    [Fact]
    public void Tuple_activities_count_only_without_person_activities()
    {
        var tuple = new PidfTuple("t", PidfBasic.Open, null, null, ["away"]);
        Assert.Equal(Model.Away, SipPresenceMapping.ToState(new PidfDocument(Entity, [tuple], null, null)).Availability);
        Assert.Equal(Model.Busy, SipPresenceMapping.ToState(new PidfDocument(Entity, [tuple], new PidfPerson(null, ["busy"], null), null)).Availability);
    }

    /// <summary>An XMPP user's state seen by a SIP watcher: show → model → PIDF basic and RPID activity.</summary>
    [Theory]
    [InlineData(null, null, "open", null)]
    [InlineData(null, "chat", "open", null)]
    [InlineData(null, "away", "open", "away")]
    [InlineData(null, "xa", "open", "away")]
    [InlineData(null, "dnd", "open", "busy")]
    [InlineData("unavailable", null, "closed", null)]
    public void Xmpp_presence_to_pidf(string? type, string? show, string basic, string? activity)
    {
        var document = SipPresenceMapping.ToPidf(Entity, [new ResourcePresence("laptop", XmppPresence(type, show, null), 0)]);
        var reread = new PidfReader(new PidfLimits()).Read(PidfWriter.Write(document));

        Assert.Equal(Entity, reread.Entity);
        Assert.Equal(basic == "open" ? PidfBasic.Open : PidfBasic.Closed, Assert.Single(reread.Tuples).Basic);
        Assert.Equal(activity is null ? [] : [activity], reread.Person?.Activities ?? []);
    }

    [Fact]
    public void Each_available_resource_is_a_tuple_and_the_top_one_speaks_for_the_person()
    {
        var document = SipPresenceMapping.ToPidf(Entity,
        [
            new ResourcePresence("phone", XmppPresence(null, "away", "on the train"), 0),
            new ResourcePresence("desk", XmppPresence(null, "dnd", "writing"), 5),
            new ResourcePresence("old", XmppPresence("unavailable", null, null), 10),
        ]);

        Assert.Equal(2, document.Tuples.Count);
        Assert.All(document.Tuples, t => Assert.Equal(PidfBasic.Open, t.Basic));
        Assert.Equal(["on the train", "writing"], document.Tuples.Select(t => t.Note));
        Assert.Equal(["busy"], document.Person!.Activities);
        Assert.Equal("writing", document.Person.Note);
        Assert.Equal(2, document.Tuples.Select(t => t.Id).Distinct().Count());
        Assert.DoesNotContain(document.Tuples, t => t.Id.Contains("desk", StringComparison.Ordinal) || t.Id.Contains("phone", StringComparison.Ordinal));
    }

    [Fact]
    public void At_equal_priority_the_most_reachable_resource_speaks_for_the_person()
    {
        var document = SipPresenceMapping.ToPidf(Entity,
        [
            new ResourcePresence("a", XmppPresence(null, "away", null), 0),
            new ResourcePresence("b", XmppPresence(null, null, null), 0),
        ]);
        Assert.Null(document.Person!.Activities.FirstOrDefault());
    }

    [Fact]
    public void A_published_state_is_used_as_published_not_as_its_lossy_xmpp_form()
    {
        var published = new PresenceState(Model.OnThePhone, null);
        var document = SipPresenceMapping.ToPidf(Entity, [new ResourcePresence("sip", SipPresenceMapping.ToXmppPresence(published), 0, published)]);
        Assert.Equal(["on-the-phone"], document.Person!.Activities);
    }

    [Fact]
    public void Offline_and_hidden_presence_are_the_same_closed_document()
    {
        var offline = PidfWriter.Write(SipPresenceMapping.ToPidf(Entity, []));
        var onlyUnavailable = PidfWriter.Write(SipPresenceMapping.ToPidf(Entity, [new ResourcePresence("x", XmppPresence("unavailable", null, "bye"), 0)]));

        Assert.Equal(offline, onlyUnavailable);
        var xml = Encoding.UTF8.GetString(offline);
        Assert.Contains("<basic>closed</basic>", xml, StringComparison.Ordinal);
        Assert.DoesNotContain("note", xml, StringComparison.Ordinal);
    }

    /// <summary>
    /// The SIP → XMPP path must land on the Lync state the seed's CUPC table (Table 6) gives the same state, once the
    /// XMPP result is read through Table 8: e.g. on-the-phone is Busy for Lync either way.
    /// </summary>
    [Theory]
    [InlineData("open", null, "Available", "Available")]
    [InlineData("open", "busy", "Busy", "Do Not Disturb")]
    [InlineData("open", "on-the-phone", "On the phone", "Do Not Disturb")]
    [InlineData("open", "meeting", "In a meeting", "Do Not Disturb")]
    [InlineData("open", "away", "Away", "Away")]
    [InlineData("closed", null, "Offline", "Offline")]
    public void Sip_states_reach_lync_as_the_cupc_table_says(string basic, string? activity, string cupcLabel, string thirdPartyXmppLabel)
    {
        var presence = SipPresenceMapping.ToXmppPresence(SipPresenceMapping.ToState(Document(basic, activity, null)));
        var show = presence.GetAttribute("type") == "unavailable" ? "unavailable" : presence.ChildText("show", XmppNamespaces.Client) ?? "available";
        var thirdParty = show switch { "available" => "Available", "away" => "Away", "xa" => "Away (extended)", "dnd" => "Do Not Disturb", _ => "Offline" };

        Assert.Equal(thirdPartyXmppLabel, thirdParty);
        Assert.Equal(AvailabilityTables.Cupc8ToLync.Map(cupcLabel), AvailabilityTables.ThirdPartyXmppToLync.Map(thirdParty));
    }

    private static PidfDocument Document(string basic, string? activity, string? note)
        => new(Entity, [new PidfTuple("t", basic == "open" ? PidfBasic.Open : PidfBasic.Closed, null, null, [])],
            activity is null && note is null ? null : new PidfPerson("p", activity is null ? [] : [activity], note), null);

    private static Element XmppPresence(string? type, string? show, string? status)
    {
        var presence = new Element("presence", XmppNamespaces.Client).SetAttribute("type", type);
        if (show is not null)
        {
            presence.AddChild("show", XmppNamespaces.Client).AddText(show);
        }

        if (status is not null)
        {
            presence.AddChild("status", XmppNamespaces.Client).AddText(status);
        }

        return presence;
    }
}
