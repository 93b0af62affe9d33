using System.Buffers;
using System.Text;
using Parley.Xmpp.Streams;
using Parley.Xmpp.Tests.Support;
using Parley.Xmpp.Xml;

namespace Parley.Xmpp.Tests.Streams;

public class XmppStreamParserTests
{
    private const string Header = StreamFeeder.ClientHeader;

    /// <summary>A client stream with the constructs a parser must handle: references, CDATA, prefixes, multi-byte text.</summary>
    internal const string RealisticStream =
        Header + "\n" +
        "<message to='juliet@example.com/balcony' from='romeo@example.net/orchard' type='chat' id='m1'>" +
        "<body>Wherefore art thou, Romeo? &amp; &lt;3 &#x1F600; &#233; Grüße 日本語</body>" +
        "<active xmlns='http://jabber.org/protocol/chatstates'/></message>\n  \t\r\n" +
        "<presence><show>away</show><status>Out &apos;n&apos; about</status>" +
        "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='http://psi-im.org' ver='q07IKJEyjvHSyhy//CH0CxmKi8w='/></presence> " +
        "<iq type=\"get\" id=\"r1\"><query xmlns='jabber:iq:roster'/></iq>" +
        "<message id='m2'><body><![CDATA[<b>bold</b> & ]] >]]>tail</body>" +
        "<x:foo xmlns:x='urn:example:x' x:attr='1' plain=\"two words\"><x:bar/><baz/></x:foo></message>" +
        "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>" +
        "\n</stream:stream>";

    private static readonly byte[] RealisticBytes = Encoding.UTF8.GetBytes(RealisticStream);

    private static readonly List<string> RealisticEvents = StreamFeeder.ParseWhole(RealisticBytes);

    [Fact]
    public void Realistic_stream_yields_header_stanzas_and_end()
    {
        var feeder = new StreamFeeder();
        feeder.Feed(RealisticBytes);

        Assert.Equal(
            [XmppStreamEventKind.StreamStart, XmppStreamEventKind.Stanza, XmppStreamEventKind.Stanza, XmppStreamEventKind.Stanza,
             XmppStreamEventKind.Stanza, XmppStreamEventKind.Stanza, XmppStreamEventKind.StreamEnd],
            feeder.Events.Select(e => e.Kind));

        var header = feeder.Events[0].Element!;
        Assert.True(header.Is("stream", XmppNamespaces.Streams));
        Assert.Equal("example.com", header.GetAttribute("to"));
        Assert.Equal("1.0", header.GetAttribute("version"));
        Assert.Equal("en", header.GetAttribute("xml:lang"));
        Assert.Equal(3, header.Attributes.Count);

        var message = feeder.Events[1].Element!;
        Assert.True(message.Is("message", XmppNamespaces.Client));
        Assert.Equal("chat", message.GetAttribute("type"));
        Assert.Equal("Wherefore art thou, Romeo? & <3 \U0001F600 é Grüße 日本語", message.ChildText("body", XmppNamespaces.Client));
        Assert.NotNull(message.Child("active", XmppNamespaces.ChatStates));

        var presence = feeder.Events[2].Element!;
        Assert.Equal("away", presence.ChildText("show", XmppNamespaces.Client));
        Assert.Equal("Out 'n' about", presence.ChildText("status", XmppNamespaces.Client));
        Assert.Equal("q07IKJEyjvHSyhy//CH0CxmKi8w=", presence.Child("c", XmppNamespaces.Caps)!.GetAttribute("ver"));

        var iq = feeder.Events[3].Element!;
        Assert.Equal("get", iq.GetAttribute("type"));
        Assert.NotNull(iq.Child("query", XmppNamespaces.Roster));

        var prefixed = feeder.Events[4].Element!;
        Assert.Equal("<b>bold</b> & ]] >tail", prefixed.ChildText("body", XmppNamespaces.Client));
        var foo = prefixed.Child("foo", "urn:example:x")!;
        Assert.Equal([new XmlAttribute("attr", "1", "urn:example:x"), new XmlAttribute("plain", "two words")], foo.Attributes);
        Assert.NotNull(foo.Child("bar", "urn:example:x"));
        Assert.NotNull(foo.Child("baz", XmppNamespaces.Client));

        var features = feeder.Events[5].Element!;
        Assert.True(features.Is("features", XmppNamespaces.Streams));
        Assert.NotNull(features.Child("starttls", XmppNamespaces.Tls)!.Child("required", XmppNamespaces.Tls));
    }

    [Fact]
    public void Stream_split_at_every_byte_parses_identically()
    {
        for (var split = 1; split < RealisticBytes.Length; split++)
        {
            var feeder = new StreamFeeder();
            feeder.Feed(RealisticBytes.AsSpan(0, split));
            feeder.Feed(RealisticBytes.AsSpan(split));
            Assert.Equal(RealisticEvents, feeder.Describe());
        }
    }

    [Fact]
    public void Stream_in_two_segments_of_one_read_parses_identically_at_every_boundary()
    {
        for (var split = 1; split < RealisticBytes.Length; split++)
        {
            var feeder = new StreamFeeder();
            feeder.Feed(StreamFeeder.Segmented(RealisticBytes, split));
            Assert.Equal(RealisticEvents, feeder.Describe());
        }
    }

    [Fact]
    public void Empty_segments_in_a_read_are_skipped()
    {
        var half = RealisticBytes.Length / 2;
        var feeder = new StreamFeeder();
        feeder.Feed(StreamFeeder.FromPieces([], RealisticBytes[..half], [], [], RealisticBytes[half..], []));
        Assert.Equal(RealisticEvents, feeder.Describe());
    }

    [Fact]
    public void Stream_fed_one_byte_at_a_time_parses_identically()
    {
        var feeder = new StreamFeeder();
        feeder.FeedInChunks(RealisticBytes, 1);
        Assert.Equal(RealisticEvents, feeder.Describe());

        var segmented = new StreamFeeder();
        segmented.Feed(StreamFeeder.Segmented(RealisticBytes, Enumerable.Range(1, RealisticBytes.Length).ToArray()));
        Assert.Equal(RealisticEvents, segmented.Describe());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(64)]
    public void Stream_fed_in_fixed_chunks_parses_identically(int chunkSize)
    {
        var feeder = new StreamFeeder();
        feeder.FeedInChunks(RealisticBytes, chunkSize);
        Assert.Equal(RealisticEvents, feeder.Describe());
    }

    [Fact]
    public void Truncated_stream_returns_false_and_yields_only_complete_events()
    {
        for (var length = 0; length < RealisticBytes.Length; length++)
        {
            var feeder = new StreamFeeder();
            feeder.Feed(RealisticBytes.AsSpan(0, length));
            var events = feeder.Describe();
            Assert.True(events.Count < RealisticEvents.Count);
            Assert.Equal(RealisticEvents.Take(events.Count), events);
        }
    }

    [Fact]
    public void Whitespace_keepalives_between_stanzas_yield_no_events()
    {
        var feeder = new StreamFeeder();
        feeder.Feed(Header);
        for (var i = 0; i < 100; i++)
        {
            feeder.Feed(" ");
            feeder.Feed("\r\n\t");
        }

        feeder.Feed("<presence/>");
        Assert.Equal([XmppStreamEventKind.StreamStart, XmppStreamEventKind.Stanza], feeder.Events.Select(e => e.Kind));
        Assert.Equal(Header.Length + 400 + "<presence/>".Length, feeder.Consumed);
    }

    [Fact]
    public void Stream_header_without_xml_declaration_is_accepted()
    {
        var feeder = new StreamFeeder();
        feeder.Feed("<stream:stream xmlns:stream=\"http://etherx.jabber.org/streams\" xmlns=\"jabber:client\" version=\"1.0\">");
        Assert.Equal(XmppStreamEventKind.StreamStart, Assert.Single(feeder.Events).Kind);
    }

    [Fact]
    public void Xml_declaration_with_encoding_and_standalone_is_accepted()
    {
        var feeder = new StreamFeeder();
        feeder.Feed("<?xml version=\"1.0\" encoding=\"utf-8\" standalone='yes' ?>\n" + Header[21..]);
        Assert.Single(feeder.Events);
    }

    [Fact]
    public void Server_stream_accepts_jabber_server_and_dialback_prefix()
    {
        var feeder = new StreamFeeder(new XmppStreamParser(new XmppLimits(), XmppNamespaces.Server));
        feeder.Feed("<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='a.example' to='b.example' version='1.0' id='s1'>" +
                    "<db:result from='a.example' to='b.example'>key</db:result><message from='x@a.example' to='y@b.example'/>");

        Assert.Equal("s1", feeder.Events[0].Element!.GetAttribute("id"));
        Assert.True(feeder.Events[1].Element!.Is("result", XmppNamespaces.Dialback));
        Assert.Equal("key", feeder.Events[1].Element!.Text);
        Assert.True(feeder.Events[2].Element!.Is("message", XmppNamespaces.Server));
    }

    [Fact]
    public void Client_parser_rejects_server_namespace()
    {
        AssertRejects("<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'>", XmppStreamErrorReason.InvalidNamespace);
    }

    [Theory]
    [InlineData("<stream:stream xmlns='jabber:client' xmlns:stream='http://example.com/streams'>", XmppStreamErrorReason.InvalidNamespace)]
    [InlineData("<stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams'>", XmppStreamErrorReason.InvalidNamespace)]
    [InlineData("<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>", XmppStreamErrorReason.InvalidNamespace)]
    [InlineData("<foo:stream xmlns='jabber:client' xmlns:foo='http://etherx.jabber.org/streams'>", XmppStreamErrorReason.BadNamespacePrefix)]
    [InlineData("<stream xmlns='http://etherx.jabber.org/streams'>", XmppStreamErrorReason.BadNamespacePrefix)]
    [InlineData("<stream:stream xmlns='jabber:client'>", XmppStreamErrorReason.BadNamespacePrefix)]
    [InlineData("<stream:foo xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>", XmppStreamErrorReason.BadFormat)]
    [InlineData("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'/>", XmppStreamErrorReason.BadFormat)]
    [InlineData("<?xml version='1.0' encoding='ISO-8859-1'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>", XmppStreamErrorReason.UnsupportedEncoding)]
    [InlineData("<?xml version='2.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>", XmppStreamErrorReason.UnsupportedVersion)]
    [InlineData("hello <stream:stream>", XmppStreamErrorReason.NotWellFormed)]
    [InlineData("</stream:stream>", XmppStreamErrorReason.NotWellFormed)]
    [InlineData(" <?xml version='1.0'?><stream:stream>", XmppStreamErrorReason.RestrictedXml)]
    [InlineData("<?xml-stylesheet href='a'?><stream:stream>", XmppStreamErrorReason.RestrictedXml)]
    [InlineData("<?xml version='1.0'?><?xml version='1.0'?><stream:stream>", XmppStreamErrorReason.RestrictedXml)]
    [InlineData("<!-- hi --><stream:stream>", XmppStreamErrorReason.RestrictedXml)]
    public void Bad_stream_headers_are_rejected(string header, XmppStreamErrorReason reason) => AssertRejects(header, reason);

    [Theory]
    [InlineData("<!DOCTYPE stream [<!ENTITY x 'y'>]>")]
    [InlineData("<!ENTITY x 'y'>")]
    public void Dtd_before_stream_header_is_restricted_xml(string prolog)
        => AssertRejects("<?xml version='1.0'?>" + prolog + Header[21..], XmppStreamErrorReason.RestrictedXml);

    [Fact]
    public void Billion_laughs_document_is_restricted_xml()
    {
        var document = new StringBuilder("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
        for (var i = 1; i <= 9; i++)
        {
            document.Append($" <!ENTITY lol{i} \"{string.Concat(Enumerable.Repeat($"&lol{(i == 1 ? "" : i - 1)};", 10))}\">\n");
        }

        document.Append("]>\n<lolz>&lol9;</lolz>");
        AssertRejects(document.ToString(), XmppStreamErrorReason.RestrictedXml);
        AssertRejects(Header + "<message><body>&lol9;</body></message>", XmppStreamErrorReason.RestrictedXml);
    }

    [Theory]
    [InlineData("<!DOCTYPE message>")]
    [InlineData("<!ENTITY lol 'lol'>")]
    [InlineData("<!-- comment -->")]
    [InlineData("<?pi data?>")]
    [InlineData("<message><!-- comment --></message>")]
    [InlineData("<message><!DOCTYPE x></message>")]
    [InlineData("<message><!ENTITY x 'y'></message>")]
    [InlineData("<message><?pi?></message>")]
    [InlineData("<message><body>&nbsp;</body></message>")]
    [InlineData("<message to='&custom;'/>")]
    [InlineData("<message><![CDAT[x]]></message>")]
    [InlineData("<![CDATA[ ]]>")]
    public void Restricted_xml_inside_the_stream_is_rejected(string content)
        => AssertRejects(Header + content, XmppStreamErrorReason.RestrictedXml);

    [Theory]
    [InlineData("<message></presence>")]
    [InlineData("<message><body></message></body>")]
    [InlineData("<message id='1' id='2'/>")]
    [InlineData("<message x:id='1' y:id='2' xmlns:x='urn:a' xmlns:y='urn:a'/>")]
    [InlineData("<message id=1/>")]
    [InlineData("<message id='a<b'/>")]
    [InlineData("<message id='a'to='b'/>")]
    [InlineData("<message id/>")]
    [InlineData("hello")]
    [InlineData("<message/>text")]
    [InlineData("<message><body>a & b</body></message>")]
    [InlineData("<message><body>&#0;</body></message>")]
    [InlineData("<message><body>&#x1;</body></message>")]
    [InlineData("<message><body>&#xD800;</body></message>")]
    [InlineData("<message><body>&#x110000;</body></message>")]
    [InlineData("<message><body>&#xFFFE;</body></message>")]
    [InlineData("<message><body>&#;</body></message>")]
    [InlineData("<message><body>&#12a;</body></message>")]
    [InlineData("<message><body>a ]]> b</body></message>")]
    [InlineData("<message><body>\u0001</body></message>")]
    [InlineData("<message><body>\u001B[31m</body></message>")]
    [InlineData("<message><body>\uFFFF</body></message>")]
    [InlineData("<message id='\u0007'/>")]
    [InlineData("<1message/>")]
    [InlineData("<-message/>")]
    [InlineData("<a:b:c xmlns:a='urn:a'/>")]
    [InlineData("<message/ >")]
    [InlineData("<message xmlns:p=''/>")]
    [InlineData("<message xmlns:xml='urn:not-xml'/>")]
    [InlineData("<message xmlns:xmlns='urn:x'/>")]
    [InlineData("</stream:foo>")]
    [InlineData("<message/></stream:stream>trailing")]
    public void Malformed_xml_is_not_well_formed(string content)
        => AssertRejects(Header + content, XmppStreamErrorReason.NotWellFormed);

    [Theory]
    [InlineData("<p:message/>")]
    [InlineData("<message p:id='1'/>")]
    [InlineData("<message><p:body xmlns:q='urn:q'/></message>")]
    [InlineData("<message><a xmlns:p='urn:p'/><p:b/></message>")]
    public void Unbound_prefixes_are_bad_namespace_prefix(string content)
        => AssertRejects(Header + content, XmppStreamErrorReason.BadNamespacePrefix);

    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 })]
    [InlineData(new byte[] { 0xC0, 0xAF })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 })]
    [InlineData(new byte[] { 0xE6, 0x97 })]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0x80 })]
    public void Invalid_utf8_is_not_well_formed(byte[] invalid)
    {
        byte[][] stanzas =
        [
            [.. "<message><body>"u8, .. invalid, .. "</body></message>"u8],
            [.. "<message id='"u8, .. invalid, .. "'/>"u8],
            [.. "<message><b"u8, .. invalid, .. "/></message>"u8],
        ];

        foreach (var stanza in stanzas)
        {
            AssertRejects([.. Encoding.UTF8.GetBytes(Header), .. stanza], XmppStreamErrorReason.NotWellFormed);
        }
    }

    [Fact]
    public void Invalid_utf8_in_the_stream_header_is_not_well_formed()
        => AssertRejects([.. Encoding.UTF8.GetBytes(Header[..^1]), .. " id='"u8, 0xC3, 0x28, .. "'>"u8], XmppStreamErrorReason.NotWellFormed);

    [Fact]
    public void Text_at_stream_level_is_not_well_formed()
        => AssertRejects(Header + "  <presence/> hello", XmppStreamErrorReason.NotWellFormed);

    [Fact]
    public void Ten_thousand_nested_elements_are_a_policy_violation_without_buffering()
    {
        var limits = new XmppLimits();
        var nested = Encoding.UTF8.GetBytes(Header + string.Concat(Enumerable.Repeat("<a>", 10_000)));
        var feeder = new StreamFeeder(new XmppStreamParser(limits));

        var error = Assert.Throws<XmppStreamException>(() => feeder.FeedInChunks(nested, 4096));

        Assert.Equal(XmppStreamErrorReason.PolicyViolation, error.Reason);
        Assert.True(feeder.Consumed <= Header.Length, $"consumed {feeder.Consumed}");
        AssertRejects(nested, XmppStreamErrorReason.PolicyViolation);
    }

    [Fact]
    public void Nesting_at_the_depth_limit_is_accepted()
    {
        var limits = new XmppLimits { MaxDepth = 5 };
        var feeder = new StreamFeeder(new XmppStreamParser(limits));
        feeder.Feed(Header + "<a><b><c><d><e/></d></c></b></a>");
        Assert.Equal(2, feeder.Events.Count);
        AssertRejects(Header + "<a><b><c><d><e><f/></e></d></c></b></a>", XmppStreamErrorReason.PolicyViolation, limits);
    }

    [Fact]
    public void Ten_megabyte_stanza_is_a_policy_violation_once_the_limit_is_passed()
    {
        var limits = new XmppLimits();
        var feeder = new StreamFeeder(new XmppStreamParser(limits));
        feeder.Feed(Header + "<message><body>");
        var chunk = new byte[4096];
        chunk.AsSpan().Fill((byte)'a');
        long fed = 0;

        var error = Assert.Throws<XmppStreamException>(() =>
        {
            while (fed < 10 * 1024 * 1024)
            {
                fed += chunk.Length;
                feeder.Feed(chunk);
            }
        });

        Assert.Equal(XmppStreamErrorReason.PolicyViolation, error.Reason);
        Assert.True(feeder.Consumed - Header.Length <= limits.MaxStanzaBytes, $"buffered {feeder.Consumed - Header.Length}");
        Assert.True(fed <= limits.MaxStanzaBytes + chunk.Length, $"fed {fed} bytes before the rejection");
    }

    [Fact]
    public void Stanza_of_exactly_the_size_limit_is_accepted_and_one_more_byte_is_not()
    {
        var limits = new XmppLimits { MaxStanzaBytes = 1000 };
        var exact = "<message><body>" + new string('x', 1000 - "<message><body></body></message>".Length) + "</body></message>";
        Assert.Equal(1000, exact.Length);

        foreach (var chunk in new[] { 1, 7, 1000, 5000 })
        {
            var feeder = new StreamFeeder(new XmppStreamParser(limits));
            feeder.Feed(Header);
            feeder.FeedInChunks(Encoding.UTF8.GetBytes(exact), chunk);
            Assert.Equal(2, feeder.Events.Count);
        }

        AssertRejects(Header + exact.Replace("<body>", "<body>y"), XmppStreamErrorReason.PolicyViolation, limits);
    }

    [Fact]
    public void Too_many_attributes_are_a_policy_violation()
    {
        // Namespace declarations count too: they cost the same to parse. The header has five attributes.
        var limits = new XmppLimits { MaxAttributesPerElement = 5 };
        var feeder = new StreamFeeder(new XmppStreamParser(limits));
        feeder.Feed(Header + "<message a='1' b='2' c='3' d='4' xmlns:e='urn:e'/>");
        Assert.Equal(2, feeder.Events.Count);
        AssertRejects(Header + "<message a='1' b='2' c='3' d='4' e='5' f='6'/>", XmppStreamErrorReason.PolicyViolation, limits);
    }

    [Fact]
    public void Oversized_stream_header_is_a_policy_violation()
    {
        var limits = new XmppLimits { MaxStreamHeaderBytes = 256 };
        var big = Header[..^1] + " id='" + new string('x', 300) + "'>";
        AssertRejects(big, XmppStreamErrorReason.PolicyViolation, limits);

        var feeder = new StreamFeeder(new XmppStreamParser(limits));
        Assert.Throws<XmppStreamException>(() => feeder.FeedInChunks(Encoding.UTF8.GetBytes(big), 10));
        Assert.True(feeder.Consumed <= 256);

        // Endless white space before the header is bounded by the same limit.
        AssertRejects(new string(' ', 1000), XmppStreamErrorReason.PolicyViolation, limits);
    }

    [Fact]
    public void Closing_tag_must_match_the_header()
    {
        AssertRejects(Header + "</stream:streams>", XmppStreamErrorReason.NotWellFormed);
        AssertRejects(Header + "</stream>", XmppStreamErrorReason.NotWellFormed);

        var feeder = new StreamFeeder();
        feeder.Feed(Header + "</stream:stream >  \n");
        Assert.Equal(XmppStreamEventKind.StreamEnd, feeder.Events[^1].Kind);
        Assert.Null(feeder.Events[^1].Element);
    }

    [Fact]
    public void Reset_starts_a_new_stream_after_starttls()
    {
        var feeder = new StreamFeeder();
        feeder.Feed(Header + "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        feeder.Parser.Reset();
        feeder.Feed(Header + "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldABy</auth>");

        Assert.Equal(
            [XmppStreamEventKind.StreamStart, XmppStreamEventKind.Stanza, XmppStreamEventKind.StreamStart, XmppStreamEventKind.Stanza],
            feeder.Events.Select(e => e.Kind));
        Assert.Equal("PLAIN", feeder.Events[3].Element!.GetAttribute("mechanism"));
    }

    [Fact]
    public void Reset_discards_a_partial_stanza()
    {
        var feeder = new StreamFeeder();
        feeder.Feed(Header + "<message><body>half");
        feeder.Parser.Reset();
        feeder.Feed(Header + "<presence/>");
        Assert.Equal("<presence xmlns='jabber:client'/>", feeder.Events[^1].Element!.ToString());
    }

    [Fact]
    public void Namespace_declarations_are_scoped_and_not_stored_as_attributes()
    {
        var feeder = new StreamFeeder();
        feeder.Feed(Header +
            "<iq type='result' id='1'><query xmlns='jabber:iq:roster' xmlns:ext='urn:ext'><item jid='a@b' ext:flag='y'/></query><other/></iq>");

        var iq = feeder.Events[1].Element!;
        var query = iq.Child("query", XmppNamespaces.Roster)!;
        Assert.Empty(query.Attributes);
        var item = query.Child("item", XmppNamespaces.Roster)!;
        Assert.Equal([new XmlAttribute("jid", "a@b"), new XmlAttribute("flag", "y", "urn:ext")], item.Attributes);
        Assert.NotNull(iq.Child("other", XmppNamespaces.Client));
    }

    [Fact]
    public void Empty_default_namespace_undeclares_it()
    {
        var feeder = new StreamFeeder();
        feeder.Feed(Header + "<message><x xmlns=''><y/></x></message>");
        Assert.NotNull(feeder.Events[1].Element!.Child("x", "")!.Child("y", ""));
    }

    [Fact]
    public void Attribute_values_are_normalised_and_references_decoded()
    {
        var feeder = new StreamFeeder();
        feeder.Feed(Header + "<message id='a\tb\r\nc\nd&#10;e&#x9;&quot;&apos;&gt;&lt;&amp;' to=\"it's\"/>");
        var message = feeder.Events[1].Element!;
        Assert.Equal("a b c d\ne\t\"'><&", message.GetAttribute("id"));
        Assert.Equal("it's", message.GetAttribute("to"));
    }

    [Fact]
    public void Text_line_ends_are_normalised_and_whitespace_kept()
    {
        var feeder = new StreamFeeder();
        feeder.Feed(Header + "<message><body>a\r\nb\rc&#13;d</body>\n <x xmlns='urn:x'/></message>");
        var message = feeder.Events[1].Element!;
        Assert.Equal("a\nb\nc\rd", message.ChildText("body", XmppNamespaces.Client));
        Assert.Equal(3, message.Nodes.Count);
        Assert.Equal("\n ", ((XmlText)message.Nodes[1]).Value);
    }

    [Fact]
    public void Common_names_and_values_are_interned()
    {
        var feeder = new StreamFeeder();
        feeder.Feed(Header + "<message type='chat'><body>hi</body></message><message type='chat'><body>yo</body></message>");
        var first = feeder.Events[1].Element!;
        var second = feeder.Events[2].Element!;
        Assert.Same(first.Name, second.Name);
        Assert.Same(first.Namespace, second.Namespace);
        Assert.Same(first.GetAttribute("type"), second.GetAttribute("type"));
        Assert.Same(first.Elements().First().Name, second.Elements().First().Name);
    }

    [Fact]
    public void Data_after_the_stream_end_is_not_well_formed()
    {
        AssertRejects(Header + "</stream:stream><presence/>", XmppStreamErrorReason.NotWellFormed);
    }

    [Fact]
    public void Byte_at_a_time_input_does_linear_work()
    {
        // 200 KB fed one byte at a time must finish quickly; a parser that rescans its buffer would take minutes.
        var body = new string('x', 200_000);
        var bytes = Encoding.UTF8.GetBytes(Header + "<message><body>" + body + "</body></message>");
        var feeder = new StreamFeeder();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        feeder.FeedInChunks(bytes, 1);
        Assert.Equal(body, feeder.Events[1].Element!.ChildText("body", XmppNamespaces.Client));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    internal static void AssertRejects(string input, XmppStreamErrorReason reason, XmppLimits? limits = null)
        => AssertRejects(Encoding.UTF8.GetBytes(input), reason, limits);

    /// <summary>The input must be rejected with the reason whether it arrives whole or a byte at a time.</summary>
    internal static void AssertRejects(byte[] input, XmppStreamErrorReason reason, XmppLimits? limits = null)
    {
        var whole = new StreamFeeder(new XmppStreamParser(limits ?? new XmppLimits()));
        var error = Assert.Throws<XmppStreamException>(() => whole.Feed(input));
        Assert.Equal(reason, error.Reason);
        Assert.True(error.Message.Length <= 100, error.Message);

        var trickle = new StreamFeeder(new XmppStreamParser(limits ?? new XmppLimits()));
        error = Assert.Throws<XmppStreamException>(() => trickle.FeedInChunks(input, 1));
        Assert.Equal(reason, error.Reason);
    }
}
