using System.Text;
using Parley.Server.Sip.Presence.Pidf;

namespace Parley.Server.Tests.Sip.Presence;

public sealed class PidfReaderTests
{
    /// <summary>What baresip publishes when the user sets "busy" (RFC 4480 person activities).</summary>
    private const string Baresip = """
        <?xml version="1.0" encoding="UTF-8"?>
        <presence xmlns="urn:ietf:params:xml:ns:pidf"
            xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"
            xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid"
            entity="sip:alice@example.com">
          <tuple id="t1">
            <status><basic>open</basic></status>
            <contact>sip:alice@192.0.2.10:5060</contact>
            <note>tuple note</note>
          </tuple>
          <note>presence note</note>
          <dm:person id="p1">
            <rpid:activities><rpid:busy/></rpid:activities>
            <dm:note>In the lab</dm:note>
          </dm:person>
        </presence>
        """;

    private readonly PidfReader _reader = new(new PidfLimits());

    private PidfDocument Read(string xml) => _reader.Read(Encoding.UTF8.GetBytes(xml));

    [Fact]
    public void Reads_tuples_person_activities_and_notes()
    {
        var document = Read(Baresip);

        Assert.Equal("sip:alice@example.com", document.Entity);
        var tuple = Assert.Single(document.Tuples);
        Assert.Equal(new PidfTuple("t1", PidfBasic.Open, "sip:alice@192.0.2.10:5060", "tuple note", []), tuple with { Activities = [] });
        Assert.Equal("presence note", document.Note);
        Assert.NotNull(document.Person);
        Assert.Equal("p1", document.Person.Id);
        Assert.Equal(["busy"], document.Person.Activities);
        Assert.Equal("In the lab", document.Person.Note);
    }

    [Fact]
    public void Activities_inside_a_tuple_status_are_read_for_older_clients()
    {
        var document = Read("""
            <presence xmlns='urn:ietf:params:xml:ns:pidf' xmlns:r='urn:ietf:params:xml:ns:pidf:rpid' entity='sip:a@example.com'>
              <tuple id='x'><status><basic>open</basic><r:activities><r:on-the-phone/><r:note>ignored</r:note></r:activities></status></tuple>
            </presence>
            """);

        Assert.Equal(["on-the-phone"], Assert.Single(document.Tuples).Activities);
        Assert.Null(document.Person);
    }

    [Fact]
    public void Any_prefix_or_default_namespace_is_understood()
    {
        var document = Read("""
            <p:presence xmlns:p='urn:ietf:params:xml:ns:pidf' entity='pres:a@example.com'>
              <p:tuple id='x'><p:status><p:basic> closed </p:basic></p:status></p:tuple>
              <person xmlns='urn:ietf:params:xml:ns:pidf:data-model'><activities xmlns='urn:ietf:params:xml:ns:pidf:rpid'><away/></activities></person>
            </p:presence>
            """);

        Assert.Equal(PidfBasic.Closed, Assert.Single(document.Tuples).Basic);
        Assert.Equal(["away"], document.Person!.Activities);
    }

    [Fact]
    public void Unknown_extensions_and_elements_in_other_namespaces_are_ignored()
    {
        var document = Read("""
            <presence xmlns='urn:ietf:params:xml:ns:pidf' xmlns:x='urn:example:ext' xmlns:rpid='urn:ietf:params:xml:ns:pidf:rpid' entity='sip:a@example.com'>
              <tuple id='x'><status><basic>open</basic><x:extra/></status><timestamp>2026-11-21T10:00:00Z</timestamp></tuple>
              <x:device id='d'><x:whatever/></x:device>
              <person xmlns='urn:ietf:params:xml:ns:pidf:data-model'><rpid:activities><x:custom/><rpid:meeting/></rpid:activities></person>
            </presence>
            """);

        Assert.Equal(["meeting"], document.Person!.Activities);
    }

    [Fact]
    public void A_byte_order_mark_and_white_space_before_the_declaration_are_accepted()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("\r\n" + Baresip)).ToArray();
        Assert.Equal("sip:alice@example.com", _reader.Read(bytes).Entity);
    }

    [Fact]
    public void Notes_are_trimmed_empty_ones_dropped_and_long_ones_cut()
    {
        var reader = new PidfReader(new PidfLimits { MaxNoteChars = 5 });
        var document = reader.Read(Encoding.UTF8.GetBytes("""
            <presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@example.com'>
              <tuple id='x'><status><basic>open</basic></status><note>   </note><note> abcdefgh </note></tuple>
            </presence>
            """));

        Assert.Equal("abcde", Assert.Single(document.Tuples).Note);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@example.com'>", "incomplete")]
    [InlineData("<presence xmlns='urn:ietf:params:xml:ns:pidf'/>", "entity")]
    [InlineData("<presence xmlns='urn:example:other' entity='sip:a@example.com'/>", "not PIDF")]
    [InlineData("<presence-info xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@example.com'/>", "not PIDF")]
    [InlineData("<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@example.com'><tuple id='t'><status><basic>maybe</basic></status></tuple></presence>", "only 'open' and 'closed'")]
    [InlineData("<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@example.com'/><presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:b@example.com'/>", "more than one root")]
    [InlineData("<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@example.com'/>trailing", "not acceptable XML")]
    [InlineData("<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@example.com'><tuple></presence>", "not acceptable XML")]
    [InlineData("<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@example.com'><note>&amp</note></presence>", "not acceptable XML")]
    [InlineData("<?xml version='1.0' encoding='UTF-8'", "not terminated")]
    [InlineData("<?xml version='1.0' encoding='ISO-8859-1'?><presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@example.com'/>", "not acceptable XML")]
    [InlineData("<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@example.com'><!-- hi --></presence>", "not acceptable XML")]
    [InlineData("<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@example.com'><?pi x?></presence>", "not acceptable XML")]
    [InlineData("<p:presence entity='sip:a@example.com'/>", "not acceptable XML")]
    public void Malformed_documents_are_refused_with_the_reason(string xml, string reason)
    {
        var error = Assert.Throws<PidfFormatException>(() => Read(xml));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_document_type_declaration_and_entity_expansion_are_refused()
    {
        const string billionLaughs = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
            <presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@example.com"><note>&lol2;</note></presence>
            """;
        Assert.Throws<PidfFormatException>(() => Read(billionLaughs));

        const string externalEntity = "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@example.com'><note>&xxe;</note></presence>";
        Assert.Throws<PidfFormatException>(() => Read(externalEntity));
    }

    [Fact]
    public void Documents_over_the_size_limit_are_refused_before_parsing()
    {
        var reader = new PidfReader(new PidfLimits { MaxDocumentBytes = 100 });
        var error = Assert.Throws<PidfFormatException>(() => reader.Read(new byte[101]));
        Assert.Contains("101 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_is_refused()
    {
        var deep = string.Concat(Enumerable.Repeat("<x:e>", 40)) + string.Concat(Enumerable.Repeat("</x:e>", 40));
        var xml = $"<presence xmlns='urn:ietf:params:xml:ns:pidf' xmlns:x='urn:example' entity='sip:a@example.com'>{deep}</presence>";
        Assert.Throws<PidfFormatException>(() => Read(xml));
    }

    [Fact]
    public void Too_many_tuples_are_refused_and_too_many_activities_cut()
    {
        var reader = new PidfReader(new PidfLimits { MaxTuples = 2, MaxActivities = 2 });
        var tuples = string.Concat(Enumerable.Range(0, 3).Select(i => $"<tuple id='t{i}'><status><basic>open</basic></status></tuple>"));
        var error = Assert.Throws<PidfFormatException>(() => reader.Read(Encoding.UTF8.GetBytes(
            $"<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@example.com'>{tuples}</presence>")));
        Assert.Contains("more than 2 tuples", error.Message, StringComparison.Ordinal);

        var document = reader.Read(Encoding.UTF8.GetBytes("""
            <presence xmlns='urn:ietf:params:xml:ns:pidf' xmlns:r='urn:ietf:params:xml:ns:pidf:rpid' entity='sip:a@example.com'>
              <person xmlns='urn:ietf:params:xml:ns:pidf:data-model'><r:activities><r:away/><r:busy/><r:meeting/></r:activities></person>
            </presence>
            """));
        Assert.Equal(["away", "busy"], document.Person!.Activities);
    }

    [Fact]
    public void Every_prefix_of_a_valid_document_is_refused_cleanly()
    {
        var bytes = Encoding.UTF8.GetBytes(Baresip.TrimEnd());
        for (var length = 0; length < bytes.Length; length++)
        {
            // Whatever the cut, the reader throws its own exception (never another type, never a partial document).
            Assert.Throws<PidfFormatException>(() => _reader.Read(bytes.AsSpan(0, length)));
        }
    }
}
