using System.Text;
using Parley.Xmpp.Streams;
using Parley.Xmpp.Tests.Support;
using Parley.Xmpp.Xml;

namespace Parley.Xmpp.Tests.Streams;

/// <summary>
/// The framer checks element names as they arrive: a bad end tag fails while its bytes are read, not when more input
/// arrives or the stanza deadline expires.
/// </summary>
public class XmppStreamParserFramingTests
{
    private const string Header = StreamFeeder.ClientHeader;

    [Fact]
    public void Mismatched_end_tag_fails_while_its_bytes_are_read()
        => AssertFailsAtOnce("<message><body>hi</message>");

    [Theory]
    [InlineData("<message><body>hi</bod>")]
    [InlineData("<message><body>hi</bodyx>")]
    [InlineData("<message><body>hi</Body>")]
    [InlineData("<message><body>hi</body></presence>")]
    [InlineData("<message><a><b><c></c></b></c>")]
    [InlineData("<message><x:a xmlns:x='urn:x'></a>")]
    [InlineData("<message><a></x:a>")]
    [InlineData("<message><x:a xmlns:x='urn:x' xmlns:y='urn:x'></y:a>")]
    [InlineData("<message><x:a xmlns:x='urn:x'></x:b>")]
    [InlineData("<message><body>hi</body/>")]
    [InlineData("<message><body>hi</body x>")]
    [InlineData("<message><body>hi</body\t\r\n<")]
    public void Mismatched_end_tags_fail_while_their_bytes_are_read(string stanza) => AssertFailsAtOnce(stanza);

    [Theory]
    [InlineData("<message></ >")]
    [InlineData("<message></>")]
    [InlineData("<message></1message>")]
    [InlineData("<message></:message>")]
    [InlineData("<message></-message>")]
    [InlineData("<message><body></.body>")]
    public void Malformed_end_tag_names_fail_while_their_bytes_are_read(string stanza) => AssertFailsAtOnce(stanza);

    [Theory]
    [InlineData("</message>")]
    [InlineData("</stream:streams>")]
    [InlineData("</stream:stream/>")]
    [InlineData("</stream>")]
    [InlineData("</ stream:stream>")]
    [InlineData("</>")]
    [InlineData("</stream:stream x>")]
    public void End_tags_at_stream_level_other_than_the_closing_tag_fail_at_once(string endTag) => AssertFailsAtOnce(endTag);

    [Theory]
    [InlineData("<message><1a>")]
    [InlineData("<message><:a>")]
    [InlineData("<message><a:>")]
    [InlineData("<message><a:b:c xmlns:a='urn:a'>")]
    [InlineData("<message><a:1b xmlns:a='urn:a'>")]
    [InlineData("<message><a\"x\">")]
    [InlineData("<message><a=x>")]
    [InlineData("<message>< a>")]
    [InlineData("<1message>")]
    public void Malformed_start_tag_names_fail_while_their_bytes_are_read(string stanza) => AssertFailsAtOnce(stanza);

    [Fact]
    public void Closing_tag_split_anywhere_still_ends_the_stream()
    {
        var bytes = Encoding.UTF8.GetBytes("</stream:stream \n>");
        for (var split = 1; split < bytes.Length; split++)
        {
            var feeder = Opened();
            feeder.Feed(bytes.AsSpan(0, split));
            Assert.Single(feeder.Events);
            feeder.Feed(bytes.AsSpan(split));
            Assert.Equal(XmppStreamEventKind.StreamEnd, feeder.Events[^1].Kind);
        }
    }

    [Fact]
    public void Nested_elements_with_the_same_name_parse()
    {
        var message = AssertParsesAtEverySplit("<message><a xmlns='urn:a'><a><a/><a>x</a></a></a><a xmlns='urn:a'/></message>");
        var outer = message.Child("a", "urn:a")!;
        var inner = outer.Child("a", "urn:a")!;
        Assert.Equal(2, inner.Elements().Count());
        Assert.Equal("x", inner.Elements().Last().Text);
    }

    [Fact]
    public void Prefixed_end_tags_match_by_qualified_name()
    {
        var message = AssertParsesAtEverySplit(
            "<message><x:a xmlns:x='urn:x' xmlns:y='urn:x'><y:a></y:a><x:b\n/><a></a ></x:a ><x:x xmlns:x='urn:z'></x:x></message>");
        var a = message.Child("a", "urn:x")!;
        Assert.Equal(3, a.Elements().Count());
        Assert.NotNull(a.Child("a", XmppNamespaces.Client));
        Assert.NotNull(message.Child("x", "urn:z"));
    }

    [Fact]
    public void Deep_stanza_at_the_depth_limit_parses()
    {
        var limits = new XmppLimits();
        var depth = limits.MaxDepth;
        var stanza = new StringBuilder("<message>");
        for (var level = 1; level < depth; level++)
        {
            // Names of varying lengths and prefixes, so a name's bytes straddle reads in many ways.
            stanza.Append(level % 3 == 0 ? $"<p:e{level} xmlns:p='urn:{level}'>" : $"<{new string('n', level)}>");
        }

        stanza.Append("deep");
        for (var level = depth - 1; level >= 1; level--)
        {
            stanza.Append(level % 3 == 0 ? $"</p:e{level}>" : $"</{new string('n', level)} >");
        }

        stanza.Append("</message>");
        var element = AssertParsesAtEverySplit(stanza.ToString());
        var levels = 1;
        while (element.Elements().FirstOrDefault() is { } child)
        {
            element = child;
            levels++;
        }

        Assert.Equal(depth, levels);
        Assert.Equal("deep", element.Text);
    }

    [Fact]
    public void Long_names_fed_one_byte_at_a_time_parse()
    {
        var name = new string('q', 10_000);
        var feeder = Opened();
        feeder.FeedInChunks(Encoding.UTF8.GetBytes($"<message><{name}>x</{name}></message>"), 1);
        Assert.Equal("x", feeder.Events[1].Element!.ChildText(name, XmppNamespaces.Client));
    }

    [Fact]
    public void Mismatch_is_found_when_the_names_straddle_many_reads()
    {
        var name = new string('q', 5_000);
        var feeder = Opened();
        feeder.FeedInChunks(Encoding.UTF8.GetBytes($"<message><{name}>x</{name}"), 7);
        var error = Assert.Throws<XmppStreamException>(() => feeder.Feed("q"));
        Assert.Equal(XmppStreamErrorReason.NotWellFormed, error.Reason);
    }

    /// <summary>
    /// The stanza must be rejected with not-well-formed while its bytes are read, however they are split: whole,
    /// one byte at a time, in two reads or two segments of one read. It contains no complete valid frame.
    /// </summary>
    private static void AssertFailsAtOnce(string content)
    {
        var bytes = Encoding.UTF8.GetBytes(content);

        AssertNotWellFormed(Opened(), feeder => feeder.Feed(bytes));

        var trickle = Opened();
        var fed = 0;
        AssertNotWellFormed(trickle, feeder =>
        {
            for (; fed < bytes.Length; fed++)
            {
                feeder.Feed(bytes.AsSpan(fed, 1));
            }
        });
        Assert.True(fed < bytes.Length);

        for (var split = 1; split < bytes.Length; split++)
        {
            var at = split;
            AssertNotWellFormed(Opened(), feeder =>
            {
                feeder.Feed(bytes.AsSpan(0, at));
                feeder.Feed(bytes.AsSpan(at));
            });

            AssertNotWellFormed(Opened(), feeder => feeder.Feed(StreamFeeder.Segmented(bytes, at)));
        }
    }

    private static void AssertNotWellFormed(StreamFeeder feeder, Action<StreamFeeder> feed)
    {
        var error = Assert.Throws<XmppStreamException>(() => feed(feeder));
        Assert.Equal(XmppStreamErrorReason.NotWellFormed, error.Reason);
        Assert.Single(feeder.Events);
    }

    /// <summary>The stanza parses to the same element whole, one byte at a time and split at every point.</summary>
    private static Element AssertParsesAtEverySplit(string stanza)
    {
        var bytes = Encoding.UTF8.GetBytes(stanza);
        var whole = Opened();
        whole.Feed(bytes);
        Assert.Equal(2, whole.Events.Count);
        var expected = StreamFeeder.Describe(whole.Events[1]);

        var trickle = Opened();
        trickle.FeedInChunks(bytes, 1);
        Assert.Equal(expected, StreamFeeder.Describe(trickle.Events[^1]));

        for (var split = 1; split < bytes.Length; split++)
        {
            var twoReads = Opened();
            twoReads.Feed(bytes.AsSpan(0, split));
            twoReads.Feed(bytes.AsSpan(split));
            Assert.Equal(expected, StreamFeeder.Describe(twoReads.Events[^1]));

            var twoSegments = Opened();
            twoSegments.Feed(StreamFeeder.Segmented(bytes, split));
            Assert.Equal(expected, StreamFeeder.Describe(twoSegments.Events[^1]));
        }

        return whole.Events[1].Element!;
    }

    private static StreamFeeder Opened()
    {
        var feeder = new StreamFeeder();
        feeder.Feed(Header);
        Assert.Single(feeder.Events);
        return feeder;
    }
}
