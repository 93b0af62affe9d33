using Parley.Server.Presence.Availability;

namespace Parley.Server.Tests.Presence.Availability;

public class AvailabilityMappingCatalogTests
{
    [Fact]
    public void Default_catalog_finds_tables_by_vocabulary_pair()
    {
        var catalog = AvailabilityMappingCatalog.CreateDefault();
        Assert.True(catalog.TryFind(PresenceVocabulary.ThirdPartyXmpp, PresenceVocabulary.LyncMoc, out var table));
        Assert.Same(AvailabilityTables.ThirdPartyXmppToLync, table);
        Assert.True(catalog.TryMap(PresenceVocabulary.LyncMoc, PresenceVocabulary.CiscoJabber, "Be Right Back", out var mapped));
        Assert.Equal("Away", mapped);
        Assert.False(catalog.TryFind(PresenceVocabulary.CiscoJabber, PresenceVocabulary.Cupc8, out _));
        Assert.Equal(AvailabilityTables.All.Count, catalog.Tables.Count());
    }

    [Fact]
    public void Later_protocols_plug_in_as_more_tables()
    {
        var pidf = new PresenceVocabulary("PIDF basic");
        var pidfToParley = new AvailabilityMappingTable("PIDF → Parley", pidf, PresenceVocabulary.Parley, [new("open", "Available"), new("closed", "Offline")]);
        var catalog = new AvailabilityMappingCatalog([.. AvailabilityTables.All, pidfToParley]);

        Assert.True(catalog.TryMap(pidf, PresenceVocabulary.Parley, "closed", out var mapped));
        Assert.Equal("Offline", mapped);
    }

    [Fact]
    public void Two_tables_for_the_same_pair_are_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new AvailabilityMappingCatalog([AvailabilityTables.Cupc8ToLync, AvailabilityTables.Cupc8ToLync]));
        Assert.Contains("CUPC 8.x", error.Message);
    }

    [Fact]
    public void A_table_mapping_a_state_twice_is_rejected()
        => Assert.Throws<ArgumentException>(() => new AvailabilityMappingTable(
            "bad", PresenceVocabulary.Parley, PresenceVocabulary.XmppShow, [new("Away", "away"), new("Away", "xa")]));
}
