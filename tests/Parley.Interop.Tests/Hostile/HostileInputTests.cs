using System.Text;
using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Hostile;

/// <summary>
/// Hostile input over raw sockets. Each attack must end in the right stream error (or stanza
/// error) or a disconnect within a bounded time, memory must stay bounded, and two other
/// logged-in clients must keep chatting.
/// </summary>
public sealed class HostileInputTests(HostileFixture fixture, ITestOutputHelper output) : IClassFixture<HostileFixture>
{
    /// <summary>A protocol violation must be answered and the connection closed within this.</summary>
    private static readonly TimeSpan ErrorBound = TimeSpan.FromSeconds(10);

    public static TheoryData<string, string, string> MalformedXml => new()
    {
        // Crossed end tags: depth returns to the stanza level, so the whole frame is checked at once.
        // (An end tag that leaves the stanza open, "<message><body>hi</message>", waits for more
        // bytes and is ended by the stanza deadline, as the slow-stanza test checks.)
        { "crossed end tags", "<message><body>hi</message></body>", "not-well-formed" },
        { "duplicate attribute", "<message to='a@example.com' to='b@example.com'/>", "not-well-formed" },
        { "control character", "<message><body>bell \u0001</body></message>", "not-well-formed" },
        { "unbound prefix", "<foo:message xmlns='jabber:client'/>", "bad-namespace-prefix not-well-formed" },
        { "'<' in attribute value", "<message to='a<b@example.com'/>", "not-well-formed" },
        { "garbage", "this is not xml at all >>> <<<", "not-well-formed" },
        { "unterminated tag then close", "<message to='x@example.com' </stream:stream>", "not-well-formed" },
    };

    public static TheoryData<string, string> RestrictedXml => new()
    {
        { "processing instruction", "<?evil payload?>" },
        { "comment", "<!-- hello -->" },
        { "entity declaration", "<!ENTITY lol 'lol'>" },
        { "doctype inside the stream", "<!DOCTYPE message [<!ENTITY a 'b'>]>" },
    };

    [Theory]
    [MemberData(nameof(MalformedXml))]
    public async Task Malformed_xml_before_login_ends_in_not_well_formed(string name, string payload, string conditions)
    {
        await using var attacker = await fixture.ConnectAsync();
        await attacker.SendAsync(RawXmppClient.StreamHeader(ParleyProcess.Domain));
        await attacker.SendHostileAsync(payload);
        await AssertStreamErrorAndCloseAsync(attacker, name, conditions.Split(' '));
        await fixture.AssertUnaffectedAsync();
    }

    [Theory]
    [MemberData(nameof(MalformedXml))]
    public async Task Malformed_xml_after_login_ends_in_not_well_formed(string name, string payload, string conditions)
    {
        await using var attacker = await fixture.LoggedInAttackerAsync();
        await attacker.SendHostileAsync(payload);
        await AssertStreamErrorAndCloseAsync(attacker, name, conditions.Split(' '));
        await fixture.AssertUnaffectedAsync();
    }

    [Fact]
    public async Task Invalid_utf8_ends_in_not_well_formed()
    {
        await using var attacker = await fixture.LoggedInAttackerAsync();
        await attacker.SendAsync("<message><body>");
        try
        {
            await attacker.SendAsync(new byte[] { 0xC3, 0x28, 0xFF, 0xFE });
        }
        catch (IOException)
        {
        }

        await attacker.SendHostileAsync("</body></message>");
        await AssertStreamErrorAndCloseAsync(attacker, "invalid UTF-8", "not-well-formed", "unsupported-encoding");
        await fixture.AssertUnaffectedAsync();
    }

    [Fact]
    public async Task Billion_laughs_dtd_before_the_stream_header_ends_in_restricted_xml()
    {
        var dtd = new StringBuilder("<?xml version='1.0'?><!DOCTYPE stream:stream [<!ENTITY lol0 'lol'>");
        for (var i = 1; i <= 9; i++)
        {
            dtd.Append($"<!ENTITY lol{i} '{string.Concat(Enumerable.Repeat($"&lol{i - 1};", 10))}'>");
        }

        dtd.Append("]>");
        await using var attacker = await fixture.ConnectAsync();
        var rssBefore = fixture.Server.ReadRssBytes();
        await attacker.SendHostileAsync(dtd.ToString());
        await attacker.SendHostileAsync(RawXmppClient.StreamHeader(ParleyProcess.Domain)[("<?xml version='1.0'?>".Length)..]);
        await attacker.SendHostileAsync("<message><body>&lol9;</body></message>");
        await AssertStreamErrorAndCloseAsync(attacker, "billion laughs", "restricted-xml", "not-well-formed");
        Assert.True(fixture.Server.ReadRssBytes() - rssBefore < 64L * 1024 * 1024, "entity expansion grew the server's memory");
        await fixture.AssertUnaffectedAsync();
    }

    [Theory]
    [MemberData(nameof(RestrictedXml))]
    public async Task Restricted_xml_after_login_ends_in_restricted_xml(string name, string payload)
    {
        await using var attacker = await fixture.LoggedInAttackerAsync();
        await attacker.SendHostileAsync(payload);
        await AssertStreamErrorAndCloseAsync(attacker, name, "restricted-xml");
        await fixture.AssertUnaffectedAsync();
    }

    [Fact]
    public async Task Undefined_entity_reference_is_rejected()
    {
        await using var attacker = await fixture.LoggedInAttackerAsync();
        await attacker.SendHostileAsync($"<message to='{fixture.First.FullJid}'><body>&xxe;</body></message>");
        await AssertStreamErrorAndCloseAsync(attacker, "undefined entity", "not-well-formed", "restricted-xml");
        Assert.DoesNotContain("&xxe;", fixture.First.Received, StringComparison.Ordinal);
        await fixture.AssertUnaffectedAsync();
    }

    [Fact]
    public async Task Ten_megabyte_stanza_after_login_ends_in_policy_violation_with_bounded_memory()
    {
        await using var attacker = await fixture.LoggedInAttackerAsync();
        var rssBefore = fixture.Server.ReadRssBytes();
        var chunk = Encoding.ASCII.GetBytes(new string('A', 64 * 1024));
        var sent = 0L;
        try
        {
            await attacker.SendAsync($"<message to='{fixture.First.FullJid}' type='chat'><body>");
            for (var i = 0; i < 160; i++)
            {
                await attacker.SendAsync(chunk);
                sent += chunk.Length;
            }

            await attacker.SendAsync("</body></message>");
        }
        catch (IOException)
        {
            // The server may close the connection before the whole stanza is sent: that is the point.
        }

        output.WriteLine($"sent {sent / 1024} KiB before the server stopped reading");
        await AssertStreamErrorAndCloseAsync(attacker, "10 MB stanza", "policy-violation");
        var growth = fixture.Server.ReadRssBytes() - rssBefore;
        output.WriteLine($"server RSS growth: {growth / 1024} KiB");
        Assert.True(growth < 64L * 1024 * 1024, $"server RSS grew by {growth / 1048576} MB while receiving a 10 MB stanza");
        Assert.DoesNotContain(new string('A', 1024), fixture.First.Received, StringComparison.Ordinal);
        await fixture.AssertUnaffectedAsync();
    }

    [Fact]
    public async Task Ten_thousand_nested_elements_end_in_policy_violation()
    {
        await using var attacker = await fixture.LoggedInAttackerAsync();
        var rssBefore = fixture.Server.ReadRssBytes();
        var nested = new StringBuilder($"<message to='{fixture.First.FullJid}'>");
        for (var i = 0; i < 10_000; i++)
        {
            nested.Append("<a>");
        }

        try
        {
            await attacker.SendAsync(nested.ToString());
        }
        catch (IOException)
        {
        }

        await AssertStreamErrorAndCloseAsync(attacker, "10,000 nested elements", "policy-violation");
        Assert.True(fixture.Server.ReadRssBytes() - rssBefore < 64L * 1024 * 1024, "deep nesting grew the server's memory by 64 MB or more");
        await fixture.AssertUnaffectedAsync();
    }

    [Fact]
    public async Task Stream_header_to_an_unknown_host_ends_in_host_unknown()
    {
        await using var attacker = await fixture.ConnectAsync();
        await attacker.SendHostileAsync(RawXmppClient.StreamHeader("not-hosted.example.org"));
        await AssertStreamErrorAndCloseAsync(attacker, "unknown host", "host-unknown");
        await fixture.AssertUnaffectedAsync();
    }

    [Theory]
    [InlineData("exa mple.com")]
    [InlineData("@example.com")]
    [InlineData("example..com")]
    [InlineData("")]
    public async Task Stream_header_with_a_malformed_to_ends_in_a_stream_error(string to)
    {
        await using var attacker = await fixture.ConnectAsync();
        await attacker.SendHostileAsync(RawXmppClient.StreamHeader(to));
        await AssertStreamErrorAndCloseAsync(attacker, $"to='{to}'", "host-unknown", "improper-addressing", "bad-format");
        await fixture.AssertUnaffectedAsync();
    }

    [Theory]
    [InlineData("2000 characters", null)]
    [InlineData("tab (a control character, legal in XML, not in a resourcepart)", "bad\tresource")]
    public async Task Invalid_resource_in_binding_is_refused_and_the_stream_stays_usable(string name, string? resource)
    {
        var (jid, password) = await fixture.Server.CreateUserAsync("binder");
        await using var client = await RawXmppClient.ConnectAsync(ParleyProcess.Host, fixture.Server.XmppPort);
        await client.StartTlsAsync(ParleyProcess.Domain, fixture.Server.CaPath);
        Assert.Null(await client.AuthenticatePlainAsync(jid, password));
        var value = resource ?? new string('r', 2000);
        var mark = client.Received.Length;
        await client.SendAsync($"<iq type='set' id='badbind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>{value}</resource></bind></iq>");
        var text = await client.ReadUntilAsync(t => t.IndexOf("</iq>", mark, StringComparison.Ordinal) >= 0, $"bind reply ({name})", ErrorBound);
        var reply = text[mark..];
        Assert.Contains("type=", reply, StringComparison.Ordinal);
        Assert.True(
            reply.Contains("'error'", StringComparison.Ordinal) || reply.Contains("\"error\"", StringComparison.Ordinal),
            $"binding resource ({name}) should fail with an iq error, got:\n{reply}");
        Assert.True(
            reply.Contains("bad-request", StringComparison.Ordinal) || reply.Contains("not-allowed", StringComparison.Ordinal) || reply.Contains("jid-malformed", StringComparison.Ordinal),
            $"expected bad-request/not-allowed/jid-malformed, got:\n{reply}");
        await client.BindAsync("fine");
        await fixture.AssertUnaffectedAsync();
    }

    [Theory]
    [InlineData("@@bad@@")]
    [InlineData("alice@")]
    [InlineData("alice@example.com/")]
    [InlineData("a b@example.com")]
    [InlineData("alice@exa mple.com")]
    public async Task Stanza_to_a_malformed_jid_gets_jid_malformed_and_the_stream_stays(string to)
    {
        await using var attacker = await fixture.LoggedInAttackerAsync();
        var mark = attacker.Received.Length;
        await attacker.SendAsync($"<message to='{to}' type='chat' id='m1'><body>x</body></message>");
        var text = await attacker.ReadUntilAsync(
            t => t.IndexOf("jid-malformed", mark, StringComparison.Ordinal) >= 0 || t.IndexOf("stream:error", mark, StringComparison.Ordinal) >= 0,
            $"a jid-malformed error for to='{to}'", ErrorBound);
        Assert.True(text.IndexOf("stream:error", mark, StringComparison.Ordinal) < 0, $"a bad 'to' should be a stanza error, not a stream error:\n{text[mark..]}");
        Assert.Contains("jid-malformed", text[mark..], StringComparison.Ordinal);
        await attacker.ExchangeMessageWithAsync(fixture.First); // the attacker's own stream still works
        await fixture.AssertUnaffectedAsync();
    }

    [Fact]
    public async Task Spoofed_from_is_rejected_or_rewritten()
    {
        await using var attacker = await fixture.LoggedInAttackerAsync();
        var id = Guid.NewGuid().ToString("N");
        await attacker.SendAsync($"<message from='{fixture.Second.FullJid}' to='{fixture.First.FullJid}' type='chat' id='{id}'><body>{id}</body></message>");
        await Task.Delay(TimeSpan.FromSeconds(2));
        var streamError = attacker.StreamErrorCondition();
        if (streamError is not null)
        {
            Assert.Equal("invalid-from", streamError);
        }
        else
        {
            var received = await fixture.First.ReadUntilAsync(
                t => t.IndexOf("</message>", Math.Max(0, t.IndexOf(id, StringComparison.Ordinal)), StringComparison.Ordinal) > t.IndexOf(id, StringComparison.Ordinal)
                     && t.Contains(id, StringComparison.Ordinal),
                "the message with a spoofed from");
            var at = received.IndexOf(id, StringComparison.Ordinal);
            var start = received.LastIndexOf("<message", at, StringComparison.Ordinal);
            var stanza = received[start..(received.IndexOf("</message>", at, StringComparison.Ordinal) + "</message>".Length)];
            output.WriteLine(stanza);
            Assert.Contains(attacker.FullJid!, stanza, StringComparison.Ordinal);
            Assert.DoesNotContain($"from='{fixture.Second.FullJid}'", stanza, StringComparison.Ordinal);
            Assert.DoesNotContain($"from=\"{fixture.Second.FullJid}\"", stanza, StringComparison.Ordinal);
        }

        await fixture.AssertUnaffectedAsync();
    }

    [Fact]
    public async Task Repeated_wrong_passwords_each_fail_with_not_authorized_and_are_recorded_as_events()
    {
        var (jid, _) = await fixture.Server.CreateUserAsync("victim");
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            await using var attacker = await fixture.ConnectAsync();
            await attacker.StartTlsAsync(ParleyProcess.Domain, fixture.Server.CaPath);
            var failure = await attacker.AuthenticatePlainAsync(jid, $"wrong-{attempt}");
            Assert.NotNull(failure);
            Assert.Contains("not-authorized", failure, StringComparison.Ordinal);
            Assert.Contains("urn:ietf:params:xml:ns:xmpp-sasl", failure, StringComparison.Ordinal);
        }

        // Events are stored by a background writer: poll (bounded) until all five failures are queryable.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        string listed;
        do
        {
            listed = (await fixture.Server.RunCliAsync("events", "--id", "3000", "--limit", "100")).ShouldSucceed().StandardOutput;
            if (CountOccurrences(listed, jid) >= 5)
            {
                break;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);

        output.WriteLine(listed);
        Assert.True(CountOccurrences(listed, jid) >= 5, $"expected five authentication-failure events (ID 3000) for {jid}:\n{listed}");
        Assert.Contains("Authentication failed", listed, StringComparison.Ordinal);
        await fixture.AssertUnaffectedAsync();
    }

    [Fact]
    public async Task Plain_authentication_before_tls_is_refused()
    {
        await using var attacker = await fixture.ConnectAsync();
        await attacker.SendAsync(RawXmppClient.StreamHeader(ParleyProcess.Domain));
        await attacker.ReadUntilAsync(t => t.Contains("</stream:features>", StringComparison.Ordinal), "features");
        Assert.DoesNotContain("<mechanism>PLAIN</mechanism>", attacker.Received, StringComparison.Ordinal);
        var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{fixture.First.FullJid!.Split('@')[0]}\0whatever"));
        await attacker.SendAsync($"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>{token}</auth>");
        var closed = false;
        try
        {
            await attacker.ReadUntilAsync(
                t => t.Contains("<failure", StringComparison.Ordinal) || t.Contains("</stream:error>", StringComparison.Ordinal) || t.Contains("<success", StringComparison.Ordinal),
                "a SASL failure or stream error", ErrorBound);
        }
        catch (IOException)
        {
            closed = true;
        }

        Assert.DoesNotContain("<success", attacker.Received, StringComparison.Ordinal);
        Assert.True(
            closed || attacker.Received.Contains("<failure", StringComparison.Ordinal),
            $"PLAIN before TLS must fail or close the stream:\n{attacker.Received}");
        await fixture.AssertUnaffectedAsync();
    }

    private async Task AssertStreamErrorAndCloseAsync(RawXmppClient attacker, string attack, params string[] conditions)
    {
        var (closed, elapsed) = await attacker.WaitForCloseAsync(ErrorBound);
        output.WriteLine($"{attack}: closed={closed} after {elapsed.TotalMilliseconds:0} ms, condition={attacker.StreamErrorCondition()}");
        Assert.True(closed, $"{attack}: the server did not close the connection within {ErrorBound.TotalSeconds:0} s; received:\n{attacker.Received}");
        var condition = attacker.StreamErrorCondition();
        Assert.True(
            condition is not null && conditions.Contains(condition),
            $"{attack}: expected a stream error <{string.Join("/> or <", conditions)}/>, got {(condition is null ? "none" : $"<{condition}/>")}; received:\n{attacker.Received}");
    }

    private static int CountOccurrences(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
