using Parley.Server.Diagnostics;
using Parley.Server.Tests.Sip.Support;
using Parley.Server.Tests.Xmpp.Support;
using Parley.Sip.Messages;

namespace Parley.Server.Tests.Sip.Core;

/// <summary>What the UAS core answers before any handler (RFC 3261 §8.2, §11, §16.3).</summary>
public sealed class DispatcherTests(SipNodeFixture fixture) : IClassFixture<SipNodeFixture>
{
    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task Options_is_answered_200_with_allow_accept_and_supported_without_authentication()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var client = await SipTestClient.ConnectAsync(Node, alice);

        var response = await client.SendAsync(client.CreateRequest(SipMethods.Options, new SipUri("sip", null, ParleyTestNode.Domain)));

        Assert.Equal(200, response.StatusCode);
        var allow = response.Headers[SipHeaderNames.Allow]!;
        foreach (var method in new[] { SipMethods.Register, SipMethods.Message, SipMethods.Invite, SipMethods.Bye, SipMethods.Info, SipMethods.Options })
        {
            Assert.Contains(method, allow, StringComparison.Ordinal);
        }

        Assert.Contains("text/plain", response.Headers[SipHeaderNames.Accept], StringComparison.Ordinal);
        Assert.NotNull(response.Headers[SipHeaderNames.Supported]);
    }

    [Fact]
    public async Task An_unknown_method_is_refused_405_with_allow()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var client = await SipTestClient.ConnectAsync(Node, alice);

        var response = await client.SendAsync(client.CreateRequest("FROBNICATE", new SipUri("sip", alice.Local, ParleyTestNode.Domain)));

        Assert.Equal(405, response.StatusCode);
        Assert.Contains(SipMethods.Register, response.Headers[SipHeaderNames.Allow], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_with_max_forwards_zero_is_refused_483()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var client = await SipTestClient.ConnectAsync(Node, alice);
        var message = client.CreateRequest(SipMethods.Message, new SipUri("sip", bob.Local, ParleyTestNode.Domain));
        message.Headers.Set(SipHeaderNames.MaxForwards, "0");

        var response = await client.SendAsync(message);

        Assert.Equal(483, response.StatusCode);
    }

    [Fact]
    public async Task A_request_for_a_domain_not_hosted_is_refused_404_with_an_event()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var alice = await Node.CreateUserAsync("alice");
        await using var client = await SipTestClient.ConnectAsync(Node, alice);

        var response = await client.SendAsync(client.CreateRequest(SipMethods.Message, new SipUri("sip", "someone", "elsewhere.example.org")));

        Assert.Equal(404, response.StatusCode);
        await Node.WaitForEventAsync(ParleyEvents.Sip.DomainNotServed.Id, since, e => e.Message.Contains("elsewhere.example.org", StringComparison.Ordinal),
            TimeSpan.FromSeconds(5), "the domain not served");
    }

    [Fact]
    public async Task Malformed_input_is_answered_400_and_raises_an_event_with_the_source()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var alice = await Node.CreateUserAsync("alice");
        await using var client = await SipTestClient.ConnectAsync(Node, alice, "TCP");

        await client.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"MESSAGE sip:x@{ParleyTestNode.Domain} SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKbad\r\nCSeq: banana\r\nContent-Length: 0\r\n\r\n"));

        await Node.WaitForEventAsync(ParleyEvents.Sip.MalformedMessage.Id, since, e => e.Message.Contains("127.0.0.1", StringComparison.Ordinal),
            TimeSpan.FromSeconds(5), "the malformed message");
    }
}
