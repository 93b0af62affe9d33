using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Federation;

/// <summary>
/// The federation harness proven without Parley: Kamailio as the peer registers and serves its own users' presence,
/// and sends any other user of example.com to the static route once — here a sipp user agent standing in for Parley.
/// If one of these fails, the harness or a scenario is wrong, not Parley.
/// </summary>
public sealed class KamailioPeerSelfTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_registered_peer_user_gets_messages_relayed_to_his_user_agent()
    {
        await using var standIn = new StandIn();
        await using var bob = PeerUser.Create("bob");
        await using var dave = PeerUser.Create("dave");
        await using var peer = await KamailioPeer.StartAsync(new KamailioPeerOptions("self", standIn.Uri, [bob.User, dave.User]));
        var agent = bob.StartAgent();
        await bob.RegisterAsync(peer, "");

        var code = await dave.SendMessageAsync(peer, bob.User, "Fed-self page to bob", peer.Describe());

        Assert.True(code == 200, $"final response {code}, expected 200\n{peer.Describe()}\n{agent.Describe()}");
        await agent.WaitForLogAsync($"MESSAGE page from={dave.User} text=Fed-self page to bob", Step, peer.Describe);
        Assert.DoesNotContain(standIn.Agent.Log.Split('\n'), l => l.StartsWith("MESSAGE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_watcher_of_a_hosted_user_gets_200_and_a_notify_and_each_publish_is_notified()
    {
        await using var standIn = new StandIn();
        await using var bob = PeerUser.Create("bob");
        await using var dave = PeerUser.Create("dave");
        await using var peer = await KamailioPeer.StartAsync(new KamailioPeerOptions("self", standIn.Uri, [bob.User, dave.User]));

        var watcher = dave.StartWatching(peer, bob.User);
        await watcher.WaitForLogAsync("subscribed: 20", Step, peer.Describe);
        await watcher.WaitForLogAsync("NOTIFY state=active", Step, peer.Describe);

        foreach (var (state, activity) in new[]
        {
            (PeerState.Away("Fed-self away"), "away"),
            (PeerState.Busy("Fed-self busy"), "busy"),
            (PeerState.Available("Fed-self available"), "unknown"),
        })
        {
            await bob.PublishAsync(peer, state, peer.Describe());
            await watcher.WaitForLogAsync($"basic=open activity={activity} note={state.Note}", Step, peer.Describe);
        }

        await bob.PublishAsync(peer, PeerState.Offline("Fed-self offline"), peer.Describe());
        await watcher.WaitForLogAsync("basic=closed", Step, peer.Describe);
        Assert.Empty(peer.Lines("PEER-TO-PARLEY"));
    }

    [Fact]
    public async Task A_request_for_a_user_not_hosted_goes_to_the_static_route_exactly_once()
    {
        await using var standIn = new StandIn();
        await using var bob = PeerUser.Create("bob");
        await using var peer = await KamailioPeer.StartAsync(new KamailioPeerOptions("self", standIn.Uri, [bob.User]));
        var carol = $"carol-{Guid.NewGuid():N}"[..14];

        var code = await bob.SendMessageAsync(peer, carol, "Fed-self page to carol", peer.Describe());

        Assert.True(code == 200, $"final response {code}, expected the stand-in's 200\n{peer.Describe()}\n{standIn.Agent.Describe()}");
        await Task.Delay(TimeSpan.FromSeconds(1)); // a second forward, if any, would show by now
        Assert.Single(standIn.Agent.Log.Split('\n'), l => l.Contains($"MESSAGE page from={bob.User} text=Fed-self page to carol", StringComparison.Ordinal));
        Assert.Single(peer.Lines("PEER-TO-PARLEY MESSAGE", $"sip:{carol}@example.com"));
        Assert.Single(peer.Lines("PEER-REPLY 200", "to MESSAGE"));
        output.WriteLine(string.Join('\n', peer.Lines(carol)));
    }

    [Fact]
    public async Task A_session_to_a_user_not_hosted_is_record_routed_through_the_peer()
    {
        await using var standIn = new StandIn();
        await using var bob = PeerUser.Create("bob");
        await using var peer = await KamailioPeer.StartAsync(new KamailioPeerOptions("self", standIn.Uri, [bob.User]));
        var carol = $"carol-{Guid.NewGuid():N}"[..14];

        await bob.RunSessionAsync(peer, carol, "Fed-self session text", standIn.Agent.Describe());

        await standIn.Agent.WaitForLogAsync("INFO in-dialog text=state>active", Step, peer.Describe);
        await standIn.Agent.WaitForLogAsync("MESSAGE in-dialog text=Fed-self session text", Step, peer.Describe);
        await standIn.Agent.WaitForLogAsync("BYE", Step, peer.Describe);
        Assert.Single(peer.Lines("PEER-TO-PARLEY INVITE", carol));
        Assert.Equal(3, peer.Lines("PEER-IN-DIALOG").Count(l => l.Contains(" INFO ", StringComparison.Ordinal) || l.Contains(" MESSAGE ", StringComparison.Ordinal) || l.Contains(" BYE ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_tls_listener_presents_the_configured_certificate()
    {
        using var pki = new PeerCertificates();
        var kamailioCertificate = pki.Issue("kamailio", PeerCertificates.KamailioName);
        await using var standIn = new StandIn();
        await using var peer = await KamailioPeer.StartAsync(new KamailioPeerOptions("self", standIn.Uri, [], kamailioCertificate));

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(KamailioPeer.Address, peer.TlsPort);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = PeerCertificates.KamailioName });
        using var presented = new X509Certificate2(tls.RemoteCertificate!);
        Assert.Equal(PeerCertificates.KamailioName, presented.GetNameInfo(X509NameType.SimpleName, false));
        output.WriteLine($"kamailio TLS on {peer.TlsPort.ToString(CultureInfo.InvariantCulture)}: {presented.Subject}, issuer {presented.Issuer}");
    }

    /// <summary>A sipp user agent on TCP where Parley would be: the static route's target.</summary>
    private sealed class StandIn : IAsyncDisposable
    {
        private readonly PeerUser _user = PeerUser.Create("parley");

        public StandIn()
        {
            Port = FreePorts.UdpAndTcp();
            Agent = _user.StartAgent(SippTransport.Tcp, Port);
        }

        public int Port { get; }

        public SippProcess Agent { get; }

        public string Uri => $"sip:127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)};transport=tcp";

        public async ValueTask DisposeAsync() => await _user.DisposeAsync();
    }
}
