using System.Globalization;
using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Sip;

/// <summary>
/// Registrations that have not expired and presence subscriptions survive a restart of Parley,
/// graceful (SIGTERM) or a crash (SIGKILL): afterwards a MESSAGE reaches the registered sipp UAS
/// without it registering again, and a watcher subscribed before the restart gets the NOTIFY for
/// a PUBLISH made after it. Over UDP, so the user agents' addresses stay valid across the restart.
/// </summary>
public sealed class SipRestartTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Registrations_and_subscriptions_survive_a_restart(bool crash)
    {
        SippProcess.Require();
        await using var server = await ParleyProcess.StartNewAsync(enableSip: true);
        var fixture = new ParleySipServerView(server);
        var alice = await fixture.CreateAccountAsync("alice");
        var bob = await fixture.CreateAccountAsync("bob");
        var carol = await fixture.CreateAccountAsync("carol");
        var watcher = await fixture.CreateAccountAsync("watcher");
        var keys = new Dictionary<string, string> { ["domain"] = ParleyProcess.Domain };
        var port = server.SipPort;

        // bob registers from the address he then listens on, as a phone does.
        var uasPort = FreePorts.UdpAndTcp();
        var registration = new Dictionary<string, string>(keys)
        {
            ["aor_user"] = bob.User,
            ["contact_port"] = uasPort.ToString(CultureInfo.InvariantCulture),
            ["contact_transport"] = "udp",
            ["expires"] = "3600",
        };
        await SippProcess.RunAsync(
            "register.xml", SippTransport.Udp, uasPort, port, registration,
            ["-au", bob.AuthUser, "-ap", bob.Password, "-auth_uri", ParleyProcess.Domain], timeout: Step, context: fixture.Diagnostics());

        await using var watch = SippProcess.Start(
            "watch.xml", SippTransport.Udp, FreePorts.UdpAndTcp(), port, new Dictionary<string, string>(keys) { ["from_user"] = watcher.User },
            ["-au", watcher.AuthUser, "-ap", watcher.Password, "-auth_uri", carol.Jid, "-s", carol.User], timeout: TimeSpan.FromSeconds(90), label: "watcher of carol");
        await watch.WaitForLogAsync("subscribed:", Step, fixture.Diagnostics());

        if (crash)
        {
            await server.KillAsync(); // SIGKILL: what was acknowledged must already be on disk
            await server.StartAsync();
        }
        else
        {
            await server.RestartAsync(); // SIGTERM, exit code 0, start again
        }

        output.WriteLine($"restarted ({(crash ? "SIGKILL" : "SIGTERM")}); bob does not register again");
        await using var uas = SippProcess.Start("uas-message.xml", SippTransport.Udp, uasPort, remotePort: null, new Dictionary<string, string>(), timeout: Step, label: "bob's user agent");
        await SippProcess.RunAsync(
            "message.xml", SippTransport.Udp, FreePorts.UdpAndTcp(), port,
            new Dictionary<string, string>(keys) { ["from_user"] = alice.User, ["body"] = "Parley interop message after a restart" },
            ["-au", alice.AuthUser, "-ap", alice.Password, "-auth_uri", bob.Jid, "-s", bob.User], timeout: Step, context: fixture.Diagnostics());
        await uas.WaitForSuccessAsync(fixture.Diagnostics());

        await SippProcess.RunAsync(
            "publish.xml", SippTransport.Udp, FreePorts.UdpAndTcp(), port, new Dictionary<string, string>(keys) { ["aor_user"] = carol.User },
            ["-au", carol.AuthUser, "-ap", carol.Password, "-auth_uri", carol.Jid], timeout: Step, context: fixture.Diagnostics());
        await watch.WaitForSuccessAsync(fixture.Diagnostics());
        await server.StopAsync();
    }

    /// <summary>Account creation and diagnostics for a server this test owns (not a shared fixture).</summary>
    private sealed class ParleySipServerView(ParleyProcess server)
    {
        public async Task<SipAccount> CreateAccountAsync(string name)
        {
            var (jid, password) = await server.CreateUserAsync(name);
            return new SipAccount(jid[..jid.IndexOf('@', StringComparison.Ordinal)], ParleyProcess.Domain, password);
        }

        public string Diagnostics() => "--- parley output (tail) ---\n" + SippProcess.Tail(server.Output, 60);
    }
}
