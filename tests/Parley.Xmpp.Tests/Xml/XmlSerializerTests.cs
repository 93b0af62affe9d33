using System.Buffers;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Parley.Xmpp.Tests.Support;
using Parley.Xmpp.Xml;

namespace Parley.Xmpp.Tests.Xml;

public class XmlSerializerTests
{
    [Fact]
    public void ToString_declares_the_namespace_on_the_root_only()
    {
        var message = new Element("message", XmppNamespaces.Client).SetAttribute("to", "a@b").SetAttribute("type", "chat");
        message.AddChild("body", XmppNamespaces.Client).AddText("hi");
        message.AddChild("active", XmppNamespaces.ChatStates);

        Assert.Equal(
            "<message xmlns='jabber:client' to='a@b' type='chat'><body>hi</body><active xmlns='http://jabber.org/protocol/chatstates'/></message>",
            message.ToString());
    }

    [Fact]
    public void WriteTo_omits_the_namespace_inherited_from_the_stream()
    {
        var presence = new Element("presence", XmppNamespaces.Client);
        presence.AddChild("show", XmppNamespaces.Client).AddText("away");
        var buffer = new ArrayBufferWriter<byte>();
        presence.WriteTo(buffer, XmppNamespaces.Client);
        Assert.Equal("<presence><show>away</show></presence>", Encoding.UTF8.GetString(buffer.WrittenSpan));
        Assert.Equal("<presence xmlns='jabber:client'><show>away</show></presence>", presence.ToXml(XmppNamespaces.Server));
    }

    [Fact]
    public void Text_escapes_ampersand_and_angle_brackets()
    {
        var body = new Element("body", XmppNamespaces.Client).AddText("a & b < c > d ' \" \r e");
        Assert.Equal("<body>a &amp; b &lt; c &gt; d ' \" &#13; e</body>", body.ToXml(XmppNamespaces.Client));
    }

    [Fact]
    public void Attributes_escape_quotes_ampersand_less_than_and_whitespace()
    {
        var item = new Element("item", XmppNamespaces.Roster).SetAttribute("name", "O'Brien & \"Sons\" <x>\t\n\r");
        Assert.Equal("<item name='O&apos;Brien &amp; &quot;Sons&quot; &lt;x>&#9;&#10;&#13;'/>", item.ToXml(XmppNamespaces.Roster));
    }

    [Fact]
    public void Characters_xml_cannot_carry_become_replacement_characters()
    {
        var body = new Element("body", XmppNamespaces.Client).AddText("a\u0001b\uFFFEc\ud800d");
        Assert.Equal("<body>a\uFFFDb\uFFFDc\uFFFDd</body>", body.ToXml(XmppNamespaces.Client));
    }

    [Fact]
    public void Foreign_namespaced_attributes_get_generated_prefixes()
    {
        var element = new Element("x", "urn:x")
            .AddAttribute(new XmlAttribute("a", "1", "urn:a"))
            .AddAttribute(new XmlAttribute("b", "2", "urn:b"))
            .AddAttribute(new XmlAttribute("c", "3", "urn:a"))
            .AddAttribute(new XmlAttribute("xml:lang", "en"));

        Assert.Equal("<x xmlns='urn:x' xmlns:ns0='urn:a' ns0:a='1' xmlns:ns1='urn:b' ns1:b='2' ns0:c='3' xml:lang='en'/>", element.ToString());
        ElementAssert.Equal(element, ElementAssert.RoundTrip(element));
    }

    [Fact]
    public void Stream_namespace_elements_use_the_stream_prefix()
    {
        var features = new Element("features", XmppNamespaces.Streams);
        features.AddChild("starttls", XmppNamespaces.Tls).AddChild("required", XmppNamespaces.Tls);
        features.AddChild("sub", XmppNamespaces.Client);

        Assert.Equal(
            "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls><sub/></stream:features>",
            features.ToXml(XmppNamespaces.Client));
        Assert.Equal(
            "<stream:features xmlns:stream='http://etherx.jabber.org/streams'><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls><sub xmlns='jabber:client'/></stream:features>",
            features.ToString());
        ElementAssert.Equal(features, ElementAssert.RoundTrip(features));
    }

    [Fact]
    public void Element_without_namespace_under_a_namespaced_parent_undeclares_the_default()
    {
        var message = new Element("message", XmppNamespaces.Client);
        message.AddChild("x", string.Empty).AddChild("y", string.Empty);
        Assert.Equal("<message><x xmlns=''><y/></x></message>", message.ToXml(XmppNamespaces.Client));
        ElementAssert.Equal(message, ElementAssert.RoundTrip(message));
    }

    [Fact]
    public void Large_text_is_written_completely()
    {
        var text = string.Concat(Enumerable.Repeat("Grüße 日本語 \U0001F600 & ", 20_000));
        var body = new Element("body", XmppNamespaces.Client).AddText(text);
        ElementAssert.Equal(body, ElementAssert.RoundTrip(body));
    }

    [Fact]
    public void Parse_of_serialize_equals_the_original_for_generated_trees()
    {
        var property = Prop.ForAll(Arb.From(ElementGenerators.Stanza()), stanza => ElementAssert.DeepEquals(stanza, ElementAssert.RoundTrip(stanza)));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), property);
    }
}

/// <summary>Random but valid element trees: names from a small vocabulary, text from the whole XML Char range.</summary>
internal static class ElementGenerators
{
    private static readonly string[] Names = ["message", "body", "x", "item", "a-b", "n.1", "_u", "日本", "query"];
    private static readonly string[] Namespaces = [XmppNamespaces.Client, "", "urn:x", "urn:y", XmppNamespaces.Streams, XmppNamespaces.Roster, "urn:a'b&c"];
    private static readonly string[] AttributeNamespaces = ["", "", "", "urn:x", "urn:z", XmppNamespaces.Xml];

    public static Gen<Element> Stanza() => Gen.Sized(size => ElementOfDepth(Math.Min(4, 1 + (size / 25))));

    public static Gen<string> XmlString() =>
        Gen.Frequency(
            (5, Gen.Elements('a', 'z', ' ', '&', '<', '>', '\'', '"', '\t', '\n', '\r', ']', 'é', '日')),
            (1, Gen.Choose(0x20, 0xD7FF).Select(c => (char)c)),
            (1, Gen.Elements('\uE000', '\uFFFD', '\u00A0')))
        .ArrayOf()
        .Select(chars => new string(chars))
        .SelectMany(s => Gen.Elements(s, s + "\U0001F600", "]]>" + s));

    private static Gen<Element> ElementOfDepth(int depth) =>
        from name in Gen.Elements(Names)
        from ns in Gen.Elements(Namespaces)
        from attributes in AttributeGen().ListOf(Math.Min(depth * 2, 4))
        from children in depth <= 1 ? Gen.Constant(new List<object>()) : ChildGen(depth - 1).ListOf(3).Select(l => l.ToList())
        select Build(name, ns, attributes, children);

    private static Gen<object> ChildGen(int depth) =>
        Gen.Frequency(
            (2, ElementOfDepth(depth).Select(e => (object)e)),
            (1, XmlString().Where(s => s.Length > 0).Select(s => (object)s)));

    private static Gen<XmlAttribute> AttributeGen() =>
        from name in Gen.Elements("id", "to", "type", "a", "lang", "n-1")
        from ns in Gen.Elements(AttributeNamespaces)
        from value in XmlString()
        select new XmlAttribute(ns == XmppNamespaces.Xml ? "xml:" + name : name, value, ns == XmppNamespaces.Xml ? "" : ns);

    private static Element Build(string name, string ns, IEnumerable<XmlAttribute> attributes, List<object> children)
    {
        var element = new Element(name, ns);
        foreach (var attribute in attributes.DistinctBy(a => (a.Name, a.Namespace)))
        {
            element.AddAttribute(attribute);
        }

        var previousWasText = false;
        foreach (var child in children)
        {
            if (child is string text)
            {
                // The parser merges adjacent text, so the generator never produces two runs in a row.
                if (!previousWasText)
                {
                    element.AddText(text);
                }

                previousWasText = true;
            }
            else
            {
                element.Add((Element)child);
                previousWasText = false;
            }
        }

        return element;
    }
}
