using System.Diagnostics;
using System.Text;
using Parley.Server.Tests.Sip.Messaging;
using Parley.Server.Tests.Sip.Support;
using Parley.Server.Tests.Xmpp.Support;
using Parley.Sip.Messages;

namespace Parley.Server.Tests.Sip.Core;

/// <summary>
/// Stopping a node that has served SIP: bounded, so `parley serve` exits 0 on SIGTERM instead of being cut short.
/// Each test runs its own node because it stops it.
/// </summary>
public sealed class NodeShutdownTests
{
    /// <summary>
    /// Well under the node's 5 s shutdown deadline, which a stop waiting on something that never ends runs into, and
    /// under Timer F of the test timers (3.2 s), which a stop waiting for an unanswered BYE runs into; above the 1 s the
    /// node gives BYEs, with room for a busy machine.
    /// </summary>
    private static readonly TimeSpan PromptStop = TimeSpan.FromSeconds(2.5);

    [Fact]
    public async Task A_node_stops_promptly_after_a_register_and_keeps_the_registration()
    {
        await using var node = new ParleyTestNode(sip: SipNodeFixture.TestOptions);
        await node.StartAsync();
        var alice = await node.CreateUserAsync("alice");
        await using var phone = await SipTestClient.ConnectAsync(node, alice);
        Assert.Equal(200, (await phone.RegisterAsync(600)).StatusCode);

        var clock = Stopwatch.StartNew();
        await node.StopAsync();

        Assert.True(clock.Elapsed < PromptStop, $"The node took {clock.Elapsed.TotalSeconds:0.00} s to stop after a REGISTER.");
        await node.StartAsync();
        Assert.Equal([phone.Contact], SipTestClient.Bindings(await phone.QueryBindingsAsync()).Select(b => b.Uri));
    }

    [Fact]
    public async Task A_node_stops_promptly_when_im_clients_do_not_answer_the_bye()
    {
        await using var node = new ParleyTestNode(sip: SipNodeFixture.TestOptions);
        await node.StartAsync();
        var alice = await node.CreateUserAsync("alice");
        await using var client = await SipTestClient.ConnectAsync(node, alice);
        Assert.Equal(200, (await client.RegisterAsync(600)).StatusCode);
        for (var i = 0; i < 3; i++)
        {
            var peer = await node.CreateUserAsync("peer");
            var invite = client.CreateRequest(SipMethods.Invite, new SipUri("sip", peer.Local, ParleyTestNode.Domain), callId: Guid.NewGuid().ToString("N"));
            invite.ContentType = "application/sdp";
            invite.Body = Encoding.ASCII.GetBytes(ImSessionTests.Offer);
            Assert.Equal(200, (await client.SendAuthenticatedAsync(invite)).StatusCode);
        }

        // Each BYE now goes unanswered until Timer F (64·T1 = 3.2 s with the test timers).
        client.AnswerStatus = 0;
        var clock = Stopwatch.StartNew();
        await node.StopAsync();

        Assert.True(clock.Elapsed < PromptStop, $"The node took {clock.Elapsed.TotalSeconds:0.00} s to stop with 3 unanswered BYEs.");
        Assert.Equal(SipMethods.Bye, (await client.ReceiveRequestAsync(SipMethods.Bye)).Method);
    }
}
