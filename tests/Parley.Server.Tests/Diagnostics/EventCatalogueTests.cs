using System.Globalization;
using Parley.Server.Diagnostics;

namespace Parley.Server.Tests.Diagnostics;

public sealed class EventCatalogueTests
{
    public static TheoryData<int> Ids()
    {
        var data = new TheoryData<int>();
        foreach (var definition in EventCatalogue.All)
        {
            data.Add(definition.Id);
        }

        return data;
    }

    [Fact]
    public void The_catalogue_covers_every_required_area()
    {
        foreach (var range in EventCatalogue.Ranges)
        {
            Assert.Contains(EventCatalogue.All, d => range.Contains(d.Id));
        }
    }

    [Fact]
    public void Ids_are_unique()
    {
        var duplicates = EventCatalogue.All.GroupBy(d => d.Id).Where(g => g.Count() > 1).Select(g => g.Key);
        Assert.Empty(duplicates);
    }

    [Fact]
    public void The_seed_replication_ids_are_defined_as_management_events()
    {
        foreach (var id in EventCatalogue.ReservedIds)
        {
            var definition = EventCatalogue.Find(id);
            Assert.NotNull(definition);
            Assert.Equal(typeof(ParleyEvents.Management), EventCatalogue.RangeOf(id)!.Definitions);
        }
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Each_entry_is_in_its_area_range_and_explains_cause_and_resolution(int id)
    {
        var definition = EventCatalogue.Find(id);
        Assert.NotNull(definition);
        var range = EventCatalogue.RangeOf(id);
        Assert.NotNull(range);
        Assert.Contains(range.Definitions.GetFields(), f => ReferenceEquals(f.GetValue(null), definition));
        Assert.False(string.IsNullOrWhiteSpace(definition.Source));
        Assert.False(string.IsNullOrWhiteSpace(definition.MessageTemplate));
        Assert.True(definition.Cause.Length > 20, "cause too short to act on");
        Assert.True(definition.Resolution.Length > 10, "resolution too short to act on");
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Each_template_formats_with_its_argument_count(int id)
    {
        var template = EventCatalogue.Find(id)!.MessageTemplate;
        var count = EventTemplate.ArgumentCount(template);
        var args = Enumerable.Range(0, count).Select(i => (object?)$"arg{i}").ToArray();

        var message = string.Format(CultureInfo.InvariantCulture, template, args);

        for (var i = 0; i < count; i++)
        {
            Assert.Contains($"arg{i}", message);
        }

        if (count > 0)
        {
            Assert.Throws<FormatException>(() => string.Format(CultureInfo.InvariantCulture, template, args[..^1]));
        }
    }

    [Fact]
    public void Formatting_with_the_wrong_argument_count_never_throws()
    {
        var message = EventTemplate.Format(ParleyEvents.Authentication.Failed.MessageTemplate, ["alice@example.com"]);
        Assert.StartsWith("Authentication failed for alice@example.com from (not given)", message);
        Assert.StartsWith("Bad {0 [x]", EventTemplate.Format("Bad {0", ["x"]));
    }
}
