using System.Text;
using Parley.Server.Sip.Presence.Pidf;

namespace Parley.Server.Tests.Sip.Presence;

public sealed class PidfWriterTests
{
    private static readonly PidfReader Reader = new(new PidfLimits());

    [Fact]
    public void Written_documents_read_back_unchanged()
    {
        var document = new PidfDocument(
            "sip:alice@example.com",
            [
                new PidfTuple("t1", PidfBasic.Open, "sip:alice@example.com", "at my desk", []),
                new PidfTuple("t2", PidfBasic.Closed, null, null, ["away"]),
            ],
            new PidfPerson("p1", ["on-the-phone"], "call with Bob"),
            "presence note");

        var read = Reader.Read(PidfWriter.Write(document));

        Assert.Equal(document.Entity, read.Entity);
        Assert.Equal(document.Tuples.Count, read.Tuples.Count);
        for (var i = 0; i < read.Tuples.Count; i++)
        {
            Assert.Equal(document.Tuples[i] with { Activities = [] }, read.Tuples[i] with { Activities = [] });
            Assert.Equal(document.Tuples[i].Activities, read.Tuples[i].Activities);
        }

        Assert.Equal(document.Person!.Activities, read.Person!.Activities);
        Assert.Equal(document.Person.Note, read.Person.Note);
        Assert.Equal(document.Note, read.Note);
    }

    [Fact]
    public void Activities_use_the_rpid_prefix_clients_match_as_text()
    {
        var xml = Encoding.UTF8.GetString(PidfWriter.Write(new PidfDocument(
            "sip:a@example.com", [new PidfTuple("t", PidfBasic.Open, null, null, [])], new PidfPerson("p", ["busy"], null), null)));

        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", xml, StringComparison.Ordinal);
        Assert.Contains("<basic>open</basic>", xml, StringComparison.Ordinal);
        Assert.Contains("<dm:person id=\"p\"><rpid:activities><rpid:busy/></rpid:activities></dm:person>", xml, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_is_escaped_and_characters_xml_cannot_carry_are_dropped()
    {
        const string note = "<b>&\"quoted\"\u0001\uFFFF\uD800 end 😀";
        var bytes = PidfWriter.Write(new PidfDocument("sip:a&b@example.com", [new PidfTuple("t", PidfBasic.Open, null, note, [])], null, null));

        var read = Reader.Read(bytes);
        Assert.Equal("sip:a&b@example.com", read.Entity);
        Assert.Equal("<b>&\"quoted\" end 😀", read.Tuples[0].Note);
    }

    [Fact]
    public void A_person_with_nothing_to_say_is_left_out()
    {
        var xml = Encoding.UTF8.GetString(PidfWriter.Write(new PidfDocument(
            "sip:a@example.com", [new PidfTuple("t", PidfBasic.Closed, null, null, [])], new PidfPerson("p", [], null), null)));
        Assert.DoesNotContain("person", xml, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("busy/><evil")]
    [InlineData("Busy")]
    [InlineData("")]
    public void Activity_names_that_are_not_rpid_names_never_become_markup(string activity)
        => Assert.Throws<ArgumentException>(() => PidfWriter.Write(new PidfDocument(
            "sip:a@example.com", [], new PidfPerson("p", [activity], null), null)));
}
