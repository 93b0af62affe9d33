using Parley.Server.Presence.Availability;

namespace Parley.Server.Tests.Presence.Availability;

/// <summary>The seed tables (federation digest §2.4), one theory row per table row, copied from the digest.</summary>
public class AvailabilityTablesTests
{
    [Theory]
    [InlineData("Available", "Available", "Available", "Available")]
    [InlineData("Away", "Away", "Away", "Away")]
    [InlineData("Be Right Back", "Away", "Away", "Away")]
    [InlineData("Busy", "Busy", "Busy", "Busy")]
    [InlineData("Do Not Disturb", "Busy", "Busy", "Busy")]
    [InlineData("Appear Offline", "Offline", "Offline", "Offline")]
    [InlineData("Offline", "Offline", "Offline", "Offline")]
    public void Table_5_maps_lync_states_to_each_client_column(string lync, string ciscoJabber, string cupc8, string thirdPartyXmpp)
    {
        Assert.Equal(ciscoJabber, AvailabilityTables.LyncToCiscoJabber.Map(lync));
        Assert.Equal(cupc8, AvailabilityTables.LyncToCupc8.Map(lync));
        Assert.Equal(thirdPartyXmpp, AvailabilityTables.LyncToThirdPartyXmpp.Map(lync));
    }

    [Theory]
    [InlineData("Available", "Available")]
    [InlineData("Busy", "Busy")]
    [InlineData("On the phone", "Busy")]
    [InlineData("In a meeting", "Busy")]
    [InlineData("Away", "Away")]
    [InlineData("Do Not Disturb", "Busy")]
    [InlineData("Offline", "Offline")]
    [InlineData("Offline: On the phone", "Offline")]
    [InlineData("Offline: In a meeting", "Offline")]
    [InlineData("Offline: 外出中", "Offline")]
    public void Table_6_maps_cupc8_states_to_lync(string cupc8, string lync)
        => Assert.Equal(lync, AvailabilityTables.Cupc8ToLync.Map(cupc8));

    [Theory]
    [InlineData("Available", "Available")]
    [InlineData("Away", "Away")]
    [InlineData("Do Not Disturb", "Busy")]
    [InlineData("不在", "Offline")]
    [InlineData("Offline", "Offline")]
    public void Table_7_maps_cisco_jabber_states_to_lync(string ciscoJabber, string lync)
        => Assert.Equal(lync, AvailabilityTables.CiscoJabberToLync.Map(ciscoJabber));

    /// <summary>The table's state names are the digest's labels without their glosses, given here for reference.</summary>
    [Theory]
    [InlineData("Available", "Available", "Available (online)")]
    [InlineData("Away", "Away", "Away")]
    [InlineData("Away (extended)", "Away", "Away (extended), i.e. XMPP `xa`")]
    [InlineData("Do Not Disturb", "Busy", "Do Not Disturb (`dnd`)")]
    [InlineData("Offline", "Offline", "Offline")]
    public void Table_8_maps_third_party_xmpp_states_to_lync(string xmpp, string lync, string digestLabel)
    {
        Assert.StartsWith(xmpp, digestLabel);
        Assert.Equal(lync, AvailabilityTables.ThirdPartyXmppToLync.Map(xmpp));
    }

    [Fact]
    public void Tests_cover_every_row_of_the_seed_tables()
    {
        Assert.Equal(7, AvailabilityTables.LyncToCiscoJabber.Rows.Count);
        Assert.Equal(7, AvailabilityTables.LyncToCupc8.Rows.Count);
        Assert.Equal(7, AvailabilityTables.LyncToThirdPartyXmpp.Rows.Count);
        Assert.Equal(10, AvailabilityTables.Cupc8ToLync.Rows.Count);
        Assert.Equal(5, AvailabilityTables.CiscoJabberToLync.Rows.Count);
        Assert.Equal(5, AvailabilityTables.ThirdPartyXmppToLync.Rows.Count);
    }

    [Fact]
    public void Seed_tables_declare_their_vocabularies()
    {
        Assert.Equal(PresenceVocabulary.LyncMoc, AvailabilityTables.LyncToCiscoJabber.From);
        Assert.Equal(PresenceVocabulary.CiscoJabber, AvailabilityTables.LyncToCiscoJabber.To);
        Assert.Equal(PresenceVocabulary.Cupc8, AvailabilityTables.LyncToCupc8.To);
        Assert.Equal(PresenceVocabulary.ThirdPartyXmpp, AvailabilityTables.LyncToThirdPartyXmpp.To);
        Assert.Equal(PresenceVocabulary.Cupc8, AvailabilityTables.Cupc8ToLync.From);
        Assert.Equal(PresenceVocabulary.CiscoJabber, AvailabilityTables.CiscoJabberToLync.From);
        Assert.Equal(PresenceVocabulary.ThirdPartyXmpp, AvailabilityTables.ThirdPartyXmppToLync.From);
        Assert.All([AvailabilityTables.Cupc8ToLync, AvailabilityTables.CiscoJabberToLync, AvailabilityTables.ThirdPartyXmppToLync],
            table => Assert.Equal(PresenceVocabulary.LyncMoc, table.To));
    }

    [Fact]
    public void Unknown_states_are_not_mapped()
    {
        Assert.False(AvailabilityTables.CiscoJabberToLync.TryMap("Busy", out _));
        var error = Assert.Throws<KeyNotFoundException>(() => AvailabilityTables.Cupc8ToLync.Map("Lunch"));
        Assert.Contains("Seed Table 6", error.Message);
    }
}
