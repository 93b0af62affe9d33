using Parley.Server.Presence.Availability;
using Model = Parley.Server.Presence.Availability.Availability;

namespace Parley.Server.Tests.Presence.Availability;

public class XmppAvailabilityTests
{
    [Theory]
    [InlineData(false, null, Model.Available)]
    [InlineData(false, "", Model.Available)]
    [InlineData(false, "chat", Model.Available)]
    [InlineData(false, "away", Model.Away)]
    [InlineData(false, "xa", Model.Away)]
    [InlineData(false, "dnd", Model.DoNotDisturb)]
    [InlineData(true, null, Model.Offline)]
    [InlineData(true, "away", Model.Offline)]
    [InlineData(false, "sleeping", Model.Available)]
    public void Inbound_presence_maps_to_the_model(bool unavailable, string? show, Model expected)
        => Assert.Equal(expected, XmppAvailability.FromXmpp(unavailable, show, null).Availability);

    [Theory]
    [InlineData(Model.Available, false, null)]
    [InlineData(Model.Away, false, "away")]
    [InlineData(Model.BeRightBack, false, "away")]
    [InlineData(Model.Busy, false, "dnd")]
    [InlineData(Model.DoNotDisturb, false, "dnd")]
    [InlineData(Model.OnThePhone, false, "dnd")]
    [InlineData(Model.InAMeeting, false, "dnd")]
    [InlineData(Model.AppearOffline, true, null)]
    [InlineData(Model.Offline, true, null)]
    public void Model_maps_to_outbound_presence(Model availability, bool unavailable, string? show)
        => Assert.Equal(new XmppPresenceShow(unavailable, show), XmppAvailability.ToXmpp(availability));

    [Fact]
    public void Every_availability_has_an_outbound_row()
    {
        foreach (var availability in Enum.GetValues<Model>())
        {
            Assert.True(AvailabilityTables.ParleyToXmppShow.TryMap(availability.ToString(), out _), availability.ToString());
        }
    }

    [Fact]
    public void Status_text_becomes_the_note()
    {
        Assert.Equal(new PresenceState(Model.Away, "lunch"), XmppAvailability.FromXmpp(false, "away", "lunch"));
        Assert.Null(XmppAvailability.FromXmpp(false, null, "").Note);
    }

    [Fact]
    public void Appear_offline_is_not_visibly_online()
    {
        Assert.False(new PresenceState(Model.AppearOffline, null).IsVisiblyOnline);
        Assert.False(PresenceState.Offline.IsVisiblyOnline);
        Assert.True(new PresenceState(Model.Busy, null).IsVisiblyOnline);
    }
}
