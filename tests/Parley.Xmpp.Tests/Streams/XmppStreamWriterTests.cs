using System.Buffers;
using System.Text;
using Parley.Xmpp.Streams;
using Parley.Xmpp.Tests.Support;

namespace Parley.Xmpp.Tests.Streams;

public class XmppStreamWriterTests
{
    [Fact]
    public void Header_has_declaration_namespaces_and_present_attributes_only()
    {
        var buffer = new ArrayBufferWriter<byte>();
        XmppStreamWriter.WriteHeader(buffer, XmppNamespaces.Client, "example.com", null, "abc'1", "en");
        Assert.Equal(
            "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='abc&apos;1' from='example.com' version='1.0' xml:lang='en'>",
            Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void Written_header_is_accepted_by_the_parser()
    {
        var buffer = new ArrayBufferWriter<byte>();
        XmppStreamWriter.WriteHeader(buffer, XmppNamespaces.Server, "a.example", "b.example", "id1", null);
        XmppStreamWriter.WriteEnd(buffer);
        var feeder = new StreamFeeder(new XmppStreamParser(new XmppLimits(), XmppNamespaces.Server));
        feeder.Feed(buffer.WrittenSpan);

        Assert.Equal([XmppStreamEventKind.StreamStart, XmppStreamEventKind.StreamEnd], feeder.Events.Select(e => e.Kind));
        Assert.Equal("b.example", feeder.Events[0].Element!.GetAttribute("to"));
    }

    [Fact]
    public void Error_has_condition_text_and_closes_the_stream()
    {
        var buffer = new ArrayBufferWriter<byte>();
        XmppStreamWriter.WriteError(buffer, XmppStreamErrorReason.PolicyViolation, "stanza too <big>");
        Assert.Equal(
            "<stream:error><policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>stanza too &lt;big&gt;</text></stream:error></stream:stream>",
            Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void Error_without_text_has_only_the_condition()
    {
        var buffer = new ArrayBufferWriter<byte>();
        XmppStreamWriter.WriteError(buffer, XmppStreamErrorReason.NotWellFormed, null);
        Assert.Equal(
            "<stream:error><not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>",
            Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void Written_error_parses_as_a_stream_error_stanza()
    {
        var buffer = new ArrayBufferWriter<byte>();
        buffer.Write(Encoding.UTF8.GetBytes(StreamFeeder.ClientHeader));
        XmppStreamWriter.WriteError(buffer, XmppStreamErrorReason.Conflict, "replaced");
        var feeder = new StreamFeeder();
        feeder.Feed(buffer.WrittenSpan);

        var error = feeder.Events[1].Element!;
        Assert.True(error.Is("error", XmppNamespaces.Streams));
        Assert.NotNull(error.Child("conflict", XmppNamespaces.StreamErrors));
        Assert.Equal("replaced", error.ChildText("text", XmppNamespaces.StreamErrors));
        Assert.Equal(XmppStreamEventKind.StreamEnd, feeder.Events[2].Kind);
    }

    [Theory]
    [InlineData(XmppStreamErrorReason.BadFormat, "bad-format")]
    [InlineData(XmppStreamErrorReason.BadNamespacePrefix, "bad-namespace-prefix")]
    [InlineData(XmppStreamErrorReason.Conflict, "conflict")]
    [InlineData(XmppStreamErrorReason.ConnectionTimeout, "connection-timeout")]
    [InlineData(XmppStreamErrorReason.HostUnknown, "host-unknown")]
    [InlineData(XmppStreamErrorReason.InternalServerError, "internal-server-error")]
    [InlineData(XmppStreamErrorReason.InvalidFrom, "invalid-from")]
    [InlineData(XmppStreamErrorReason.InvalidNamespace, "invalid-namespace")]
    [InlineData(XmppStreamErrorReason.InvalidXml, "invalid-xml")]
    [InlineData(XmppStreamErrorReason.NotAuthorized, "not-authorized")]
    [InlineData(XmppStreamErrorReason.NotWellFormed, "not-well-formed")]
    [InlineData(XmppStreamErrorReason.PolicyViolation, "policy-violation")]
    [InlineData(XmppStreamErrorReason.ResourceConstraint, "resource-constraint")]
    [InlineData(XmppStreamErrorReason.RestrictedXml, "restricted-xml")]
    [InlineData(XmppStreamErrorReason.SystemShutdown, "system-shutdown")]
    [InlineData(XmppStreamErrorReason.UndefinedCondition, "undefined-condition")]
    [InlineData(XmppStreamErrorReason.UnsupportedEncoding, "unsupported-encoding")]
    [InlineData(XmppStreamErrorReason.UnsupportedStanzaType, "unsupported-stanza-type")]
    [InlineData(XmppStreamErrorReason.UnsupportedVersion, "unsupported-version")]
    public void Every_reason_maps_to_its_rfc_condition(XmppStreamErrorReason reason, string condition)
        => Assert.Equal(condition, XmppStreamWriter.ConditionName(reason));

    [Fact]
    public void Every_reason_has_a_condition()
    {
        foreach (var reason in Enum.GetValues<XmppStreamErrorReason>())
        {
            Assert.NotEmpty(XmppStreamWriter.ConditionName(reason));
        }
    }
}
