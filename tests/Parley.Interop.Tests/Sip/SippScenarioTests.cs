using System.Globalization;
using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Sip;

/// <summary>
/// The sipp scenarios kept in Sip/Scenarios, over UDP and TCP. Every request a client sends is
/// challenged (401 for REGISTER, 407 for the rest) and answered with digest credentials. The same
/// tests run against Kamailio (<see cref="SippScenariosAgainstKamailio"/>) to prove the scenarios
/// themselves right, and against Parley (<see cref="SippScenariosAgainstParley"/>).
/// </summary>
public abstract class SippScenarioTests(ISipServer server, ITestOutputHelper output)
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(20);

    protected ISipServer Server => server;

    [Theory]
    [InlineData(SippTransport.Udp)]
    [InlineData(SippTransport.Tcp)]
    public async Task Register_is_challenged_with_401_and_accepted_with_digest_then_removed(SippTransport transport)
    {
        var bob = await server.CreateAccountAsync("bob");
        var contactPort = FreePorts.UdpAndTcp();
        await RegisterAsync(bob, transport, contactPort, expires: 600);
        await RegisterAsync(bob, transport, contactPort, expires: 0);
    }

    [Theory]
    [InlineData(SippTransport.Udp)]
    [InlineData(SippTransport.Tcp)]
    public async Task Message_is_relayed_to_the_registered_user_agent(SippTransport transport)
    {
        // The user agent registers from the address it then listens on, as a phone does.
        var alice = await server.CreateAccountAsync("alice");
        var bob = await server.CreateAccountAsync("bob");
        var uasPort = FreePorts.UdpAndTcp();
        await RegisterAsync(bob, transport, uasPort, expires: 600, fromContactAddress: true);
        await using var uas = SippProcess.Start("uas-message.xml", transport, uasPort, remotePort: null, new Dictionary<string, string>(), timeout: Step, label: "bob's user agent");
        await SendMessageAsync("message.xml", alice, bob.User, transport, "Parley interop message to a registered user");
        await uas.WaitForSuccessAsync(server.Diagnostics());
    }

    [Theory]
    [InlineData(SippTransport.Udp)]
    [InlineData(SippTransport.Tcp)]
    public async Task Message_is_relayed_to_a_contact_registered_from_another_address(SippTransport transport)
    {
        // RFC 3261 §10.2: the binding is the Contact, whoever sent the REGISTER (third-party registration);
        // requests for the AOR go to the Contact, not to where the REGISTER came from.
        var alice = await server.CreateAccountAsync("alice");
        var bob = await server.CreateAccountAsync("bob");
        var uasPort = FreePorts.UdpAndTcp();
        await using var uas = SippProcess.Start("uas-message.xml", transport, uasPort, remotePort: null, new Dictionary<string, string>(), timeout: Step, label: "bob's user agent");
        await RegisterAsync(bob, transport, uasPort, expires: 600, fromContactAddress: false);
        await SendMessageAsync("message.xml", alice, bob.User, transport, "Parley interop message to a registered user");
        await uas.WaitForSuccessAsync(server.Diagnostics());
    }

    [Theory]
    [InlineData(SippTransport.Udp)]
    [InlineData(SippTransport.Tcp)]
    public async Task Message_to_an_unknown_user_gets_404(SippTransport transport)
    {
        var alice = await server.CreateAccountAsync("alice");
        await SendMessageAsync("message-unknown-user.xml", alice, $"nobody-{Guid.NewGuid():N}", transport, "Parley interop message to nobody");
    }

    [Theory]
    [InlineData(SippTransport.Udp)]
    [InlineData(SippTransport.Tcp)]
    public async Task Subscribe_gets_200_and_a_notify_with_the_published_state_and_unsubscribe_a_terminated_notify(SippTransport transport)
    {
        var alice = await server.CreateAccountAsync("alice");
        var bob = await server.CreateAccountAsync("bob");
        await PublishAsync(bob, transport);
        await SippProcess.RunAsync(
            "subscribe.xml", transport, FreePorts.UdpAndTcp(), server.SipPort,
            Keys(("from_user", alice.User)), Credentials(alice, $"{bob.User}@{server.Domain}", ["-s", bob.User]), timeout: Step, context: server.Diagnostics());
    }

    [Theory]
    [InlineData(SippTransport.Udp)]
    [InlineData(SippTransport.Tcp)]
    public async Task Publish_is_notified_to_every_watcher(SippTransport transport)
    {
        var carol = await server.CreateAccountAsync("carol");
        var watchers = new List<SippProcess>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var watcher = await server.CreateAccountAsync($"w{i}");
                var sipp = SippProcess.Start(
                    "watch.xml", transport, FreePorts.UdpAndTcp(), server.SipPort, Keys(("from_user", watcher.User)),
                    Credentials(watcher, $"{carol.User}@{server.Domain}", ["-s", carol.User]), timeout: TimeSpan.FromSeconds(40), label: $"watcher {i}");
                watchers.Add(sipp);
                await sipp.WaitForLogAsync("subscribed:", Step, server.Diagnostics());
            }

            await PublishAsync(carol, transport);
            foreach (var watcher in watchers)
            {
                await watcher.WaitForSuccessAsync(server.Diagnostics());
            }
        }
        finally
        {
            foreach (var watcher in watchers)
            {
                await watcher.DisposeAsync();
            }
        }
    }

    [Theory]
    [InlineData(SippTransport.Udp)]
    [InlineData(SippTransport.Tcp)]
    public async Task Session_mode_im_invite_message_info_bye(SippTransport transport)
    {
        var alice = await server.CreateAccountAsync("alice");
        var bob = await server.CreateAccountAsync("bob");
        var uasPort = FreePorts.UdpAndTcp();

        // Kamailio relays the session to bob's user agent, which checks each request. Parley ends the
        // session itself and routes the in-dialog MESSAGE to bob, here registered with a sipp agent.
        await RegisterAsync(bob, transport, uasPort, expires: 600);
        var callee = server.AnswersImSessions
            ? SippProcess.Start("uas-any-message.xml", transport, uasPort, remotePort: null, new Dictionary<string, string>(), calls: 10, timeout: Step, label: "bob's user agent")
            : SippProcess.Start("session-uas.xml", transport, uasPort, remotePort: null, new Dictionary<string, string>(), timeout: Step, label: "bob's user agent");
        await using (callee)
        {
            await SippProcess.RunAsync(
                "session.xml", transport, FreePorts.UdpAndTcp(), server.SipPort,
                Keys(("from_user", alice.User), ("body", "Parley interop message in a session")),
                Credentials(alice, $"{bob.User}@{server.Domain}", ["-s", bob.User]), timeout: Step, context: server.Diagnostics());
            if (server.AnswersImSessions)
            {
                await callee.WaitForLogAsync("MESSAGE body: Parley interop message in a session", Step, server.Diagnostics());
            }
            else
            {
                await callee.WaitForSuccessAsync(server.Diagnostics());
            }
        }
    }

    protected Dictionary<string, string> Keys(params (string Key, string Value)[] keys)
    {
        var all = new Dictionary<string, string> { ["domain"] = server.Domain };
        foreach (var (key, value) in keys)
        {
            all[key] = value;
        }

        return all;
    }

    /// <summary>
    /// Digest credentials for sipp. sipp puts "sip:" + -auth_uri in the digest uri (by default the server's
    /// address, not the Request-URI as RFC 3261 §22.4 requires), so each run names its Request-URI.
    /// </summary>
    protected static string[] Credentials(SipAccount account, string requestUri, string[] more) =>
        ["-au", account.AuthUser, "-ap", account.Password, "-auth_uri", requestUri, .. more];

    /// <summary>Registers 127.0.0.1:contactPort; sent from that same port when <paramref name="fromContactAddress"/>, else from another.</summary>
    protected async Task RegisterAsync(SipAccount account, SippTransport transport, int contactPort, int expires, bool fromContactAddress = true)
    {
        output.WriteLine($"{server.Name}: REGISTER {account.Aor} -> 127.0.0.1:{contactPort} ({transport}, expires {expires}, from {(fromContactAddress ? "that address" : "another address")})");
        await SippProcess.RunAsync(
            "register.xml", transport, fromContactAddress ? contactPort : FreePorts.UdpAndTcp(), server.SipPort,
            Keys(
                ("aor_user", account.User), ("contact_port", contactPort.ToString(CultureInfo.InvariantCulture)),
                ("contact_transport", transport == SippTransport.Udp ? "udp" : "tcp"), ("expires", expires.ToString(CultureInfo.InvariantCulture))),
            Credentials(account, server.Domain, []), timeout: Step, context: server.Diagnostics());
    }

    protected async Task PublishAsync(SipAccount account, SippTransport transport)
    {
        await SippProcess.RunAsync(
            "publish.xml", transport, FreePorts.UdpAndTcp(), server.SipPort, Keys(("aor_user", account.User)),
            Credentials(account, $"{account.User}@{server.Domain}", []), timeout: Step, context: server.Diagnostics());
    }

    protected async Task SendMessageAsync(string scenario, SipAccount from, string toUser, SippTransport transport, string body)
    {
        await SippProcess.RunAsync(
            scenario, transport, FreePorts.UdpAndTcp(), server.SipPort, Keys(("from_user", from.User), ("body", body)),
            Credentials(from, $"{toUser}@{server.Domain}", ["-s", toUser]), timeout: Step, context: server.Diagnostics());
    }
}

/// <summary>The scenarios against Parley.</summary>
public sealed class SippScenariosAgainstParley(ParleySipFixture fixture, ITestOutputHelper output)
    : SippScenarioTests(fixture, output), IClassFixture<ParleySipFixture>;

/// <summary>The same scenarios against Kamailio: if one fails here, the scenario is wrong, not Parley.</summary>
public sealed class SippScenariosAgainstKamailio(KamailioFixture fixture, ITestOutputHelper output)
    : SippScenarioTests(fixture, output), IClassFixture<KamailioFixture>;
