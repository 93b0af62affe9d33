using Parley.Sip.Messages;

namespace Parley.Sip.Tests.Messages;

public sealed class SipHeaderCollectionTests
{
    [Theory]
    [InlineData("i", SipHeaderNames.CallId)]
    [InlineData("m", SipHeaderNames.Contact)]
    [InlineData("F", SipHeaderNames.From)]
    [InlineData("t", SipHeaderNames.To)]
    [InlineData("v", SipHeaderNames.Via)]
    [InlineData("l", SipHeaderNames.ContentLength)]
    [InlineData("c", SipHeaderNames.ContentType)]
    [InlineData("e", SipHeaderNames.ContentEncoding)]
    [InlineData("s", SipHeaderNames.Subject)]
    [InlineData("k", SipHeaderNames.Supported)]
    [InlineData("o", SipHeaderNames.Event)]
    [InlineData("u", SipHeaderNames.AllowEvents)]
    [InlineData("r", SipHeaderNames.ReferTo)]
    [InlineData("b", SipHeaderNames.ReferredBy)]
    [InlineData("x", SipHeaderNames.SessionExpires)]
    [InlineData("call-id", SipHeaderNames.CallId)]
    [InlineData("CSEQ", SipHeaderNames.CSeq)]
    [InlineData("www-authenticate", SipHeaderNames.WwwAuthenticate)]
    [InlineData("sip-etag", SipHeaderNames.SipETag)]
    public void Compact_and_case_variant_names_map_to_the_canonical_name(string wire, string canonical)
    {
        Assert.Equal(canonical, SipHeaderNames.Canonicalize(wire));
        // A known name is the one stored instance, not a fresh string per call.
        Assert.Same(SipHeaderNames.Canonicalize(wire), SipHeaderNames.Canonicalize(canonical.ToUpperInvariant()));
    }

    [Fact]
    public void Unknown_names_keep_their_spelling()
    {
        Assert.Equal("X-My-Header", SipHeaderNames.Canonicalize("X-My-Header"));
        Assert.Equal("q", SipHeaderNames.Canonicalize("q"));
    }

    [Fact]
    public void Lookup_accepts_any_spelling_of_a_name()
    {
        var headers = new SipHeaderCollection();
        headers.Add("i", "abc");
        headers.Add("x-custom", "1");
        Assert.Equal("abc", headers["Call-ID"]);
        Assert.Equal("abc", headers["CALL-ID"]);
        Assert.Equal(SipHeaderNames.CallId, headers[0].Name);
        Assert.Equal("1", headers["X-Custom"]);
    }

    [Fact]
    public void List_headers_split_across_commas_and_lines_but_not_inside_quotes_or_brackets()
    {
        var headers = new SipHeaderCollection();
        headers.Add(SipHeaderNames.Contact, "\"Doe, John\" <sip:j@example.com;a=1,2>;q=1, <sip:k@example.com>");
        headers.Add("m", "sip:l@example.com");
        Assert.Equal(["\"Doe, John\" <sip:j@example.com;a=1,2>;q=1", "<sip:k@example.com>", "sip:l@example.com"], headers.GetValues(SipHeaderNames.Contact));
        headers.Add(SipHeaderNames.Date, "Sat, 13 Nov 2010 23:29:00 GMT");
        Assert.Equal(["Sat, 13 Nov 2010 23:29:00 GMT"], headers.GetValues(SipHeaderNames.Date));
        Assert.Equal(2, headers.Count(SipHeaderNames.Contact));
        Assert.Equal(2, headers.GetAll(SipHeaderNames.Contact).Count());
    }

    [Fact]
    public void AddFirst_puts_a_via_above_the_existing_ones()
    {
        var headers = new SipHeaderCollection();
        headers.Add(SipHeaderNames.From, "<sip:a@example.com>");
        headers.Add(SipHeaderNames.Via, "SIP/2.0/UDP b");
        headers.AddFirst(SipHeaderNames.Via, "SIP/2.0/UDP a");
        Assert.Equal(["SIP/2.0/UDP a", "SIP/2.0/UDP b"], headers.GetValues(SipHeaderNames.Via));
        Assert.Equal(SipHeaderNames.From, headers[0].Name);
        headers.AddFirst(SipHeaderNames.Route, "<sip:p@example.com;lr>");
        Assert.Equal(SipHeaderNames.Route, headers[0].Name);
    }

    [Fact]
    public void RemoveFirstValue_pops_one_element_of_a_comma_list()
    {
        var headers = new SipHeaderCollection();
        headers.Add(SipHeaderNames.Via, "SIP/2.0/UDP a;branch=1, SIP/2.0/UDP b;branch=2");
        headers.Add(SipHeaderNames.Via, "SIP/2.0/UDP c");
        Assert.True(headers.RemoveFirstValue(SipHeaderNames.Via));
        Assert.Equal(["SIP/2.0/UDP b;branch=2", "SIP/2.0/UDP c"], headers.GetValues(SipHeaderNames.Via));
        Assert.True(headers.RemoveFirstValue("v"));
        Assert.True(headers.RemoveFirstValue(SipHeaderNames.Via));
        Assert.False(headers.RemoveFirstValue(SipHeaderNames.Via));
        Assert.Equal(0, headers.LineCount);
    }

    [Fact]
    public void Set_replaces_every_line_at_the_position_of_the_first()
    {
        var headers = new SipHeaderCollection();
        headers.Add("X-A", "1");
        headers.Add(SipHeaderNames.Contact, "x");
        headers.Add("X-B", "2");
        headers.Add("m", "y");
        headers.Set(SipHeaderNames.Contact, "z");
        Assert.Equal(["X-A: 1", "Contact: z", "X-B: 2"], headers.Select(h => h.ToString()));
        Assert.Equal(1, headers.Remove("CONTACT"));
        Assert.False(headers.Contains(SipHeaderNames.Contact));
    }

    [Theory]
    [InlineData("Bad Name", "v")]
    [InlineData("", "v")]
    [InlineData("X", "a\r\nInjected: yes")]
    [InlineData("X", "a\nb")]
    public void Header_injection_is_refused(string name, string value)
    {
        Assert.Throws<ArgumentException>(() => new SipHeaderCollection().Add(name, value));
    }

    [Fact]
    public void Clone_is_independent()
    {
        var headers = new SipHeaderCollection();
        headers.Add("A", "1");
        var copy = headers.Clone();
        copy.Add("B", "2");
        Assert.Equal(1, headers.LineCount);
        Assert.Equal(2, copy.LineCount);
    }

    [Theory]
    [InlineData("a, b ,c", new[] { "a", "b", "c" })]
    [InlineData("\"x,y\", <u,v>", new[] { "\"x,y\"", "<u,v>" })]
    [InlineData("\"a\\\",b\", c", new[] { "\"a\\\",b\"", "c" })]
    [InlineData(" , ,", new string[0])]
    [InlineData("single", new[] { "single" })]
    public void Splitter_respects_quotes_escapes_and_brackets(string value, string[] expected)
    {
        Assert.Equal(expected, HeaderValueSplitter.Split(value));
    }
}
