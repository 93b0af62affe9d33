using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Sip;

/// <summary>
/// baresip, a real SIP user agent, and slixmpp, a real XMPP client, on the same Parley: baresip
/// registers (digest), subscribes to the XMPP user's presence and sees each change (online,
/// busy, offline); messages go both ways. Over UDP, and over TLS to the sips port.
/// </summary>
public sealed class BaresipTests(ParleySipFixture fixture, ITestOutputHelper output) : IClassFixture<ParleySipFixture>
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(20);

    private ParleyProcess Server => fixture.Server;

    [Theory]
    [InlineData("udp")]
    [InlineData("tls")]
    public async Task Baresip_registers_sees_an_xmpp_users_presence_changes_and_messages_go_both_ways(string transport)
    {
        BaresipProcess.Require();
        var xana = await Server.CreateUserAsync("xana");
        var sam = await fixture.CreateAccountAsync("sam");
        var xanaUri = "sip:" + xana.Jid;

        await using var peer = await XmppPeerProcess.StartAsync(Server, "xmpp_peer.py", [xana], ["--sip-user", sam.Jid], TimeSpan.FromSeconds(90));
        await peer.WaitForLineAsync("XMPP-READY", Step, fixture.Diagnostics());

        var port = transport == "tls" ? fixture.SipsPort : fixture.SipPort;
        await using var baresip = BaresipProcess.Start(sam.Aor, sam.Password, port, transport, Server.CaPath, [xanaUri]);
        string Context() => $"{baresip.Describe()}\n--- slixmpp ---\n{peer.Output}\n{fixture.Diagnostics()}";

        await baresip.WaitForOutputAsync($"{sam.Jid}: {{0/{transport.ToUpperInvariant()}/v4}} 200 OK", Step, Context());
        output.WriteLine($"baresip registered over {transport}");
        await baresip.WaitForContactStatusAsync(xanaUri, "Online", Step, Context());

        // baresip → slixmpp, and the reply slixmpp → baresip (a MESSAGE that baresip answers 200).
        await baresip.CommandAsync("message", "Parley interop message from baresip");
        await baresip.WaitForOutputAsync("Parley interop reply from slixmpp", Step, Context());

        await baresip.CommandAsync("message", "please go busy");
        await peer.WaitForLineAsync("XMPP-BUSY", Step, Context());
        await baresip.WaitForContactStatusAsync(xanaUri, "Busy", Step, Context());

        await baresip.CommandAsync("message", "please go offline");
        await peer.WaitForLineAsync("XMPP-OFFLINE", Step, Context());
        await baresip.WaitForContactStatusAsync(xanaUri, "Offline", Step, Context());
        await peer.WaitForPassAsync(Context());
    }
}
