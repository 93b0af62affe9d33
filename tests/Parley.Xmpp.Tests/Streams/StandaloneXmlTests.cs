using System.Text;
using Parley.Xmpp.Streams;

namespace Parley.Xmpp.Tests.Streams;

public sealed class StandaloneXmlTests
{
    private static readonly XmppLimits Limits = new();

    [Fact]
    public void Elements_take_the_callers_default_namespace_after_an_xml_declaration()
    {
        var elements = StandaloneXml.Parse("<?xml version='1.0'?>"u8, "<presence entity='sip:a@example.com'/>"u8, Limits, "urn:ietf:params:xml:ns:pidf", out var complete);

        var root = Assert.Single(elements);
        Assert.True(complete);
        Assert.Equal("presence", root.Name);
        Assert.Equal("urn:ietf:params:xml:ns:pidf", root.Namespace);
    }

    [Fact]
    public void Every_top_level_element_is_returned_in_order()
    {
        var elements = StandaloneXml.Parse([], "<a/><b/>"u8, Limits, XmppNamespaces.Client, out _);

        Assert.Equal(["a", "b"], elements.Select(element => element.Name));
    }

    [Fact]
    public void Input_ending_inside_an_element_is_reported_incomplete()
    {
        var elements = StandaloneXml.Parse([], "<a><b/>"u8, Limits, XmppNamespaces.Client, out var complete);

        Assert.Empty(elements);
        Assert.False(complete);
    }

    [Fact]
    public void A_doctype_is_refused_as_on_the_network()
    {
        var body = Encoding.UTF8.GetBytes("<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>");

        Assert.Throws<XmppStreamException>(() => StandaloneXml.Parse([], body, Limits, XmppNamespaces.Client, out _));
    }
}
