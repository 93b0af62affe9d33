using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Federation;

/// <summary>Federation over mutual TLS: the peer CA Parley trusts, the certificate Kamailio presents, the subject Parley lists.</summary>
public sealed record PeerTlsSetup(string TrustedCaPath, (string CertificatePath, string KeyPath) KamailioCertificate, string ListedSubject);

/// <summary>
/// The usual arrangement of the acceptance tests: Parley (one node) federated over TCP (trusted by the incoming ACL)
/// or over mutual TLS (trusted by its certificate) with a Kamailio peer that hosts bob (sipp, his user agent
/// registered), and alice, an XMPP user of Parley logged in with slixmpp.
/// </summary>
public sealed class FederationTestBed : IAsyncDisposable
{
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    private XmppAgent? _alice;

    private FederationTestBed(FederatedParley parley, KamailioPeer peer, PeerUser bob)
    {
        Parley = parley;
        Peer = peer;
        Bob = bob;
    }

    public FederatedParley Parley { get; }

    public KamailioPeer Peer { get; }

    public PeerUser Bob { get; }

    /// <summary>bob's user agent (uas.xml), registered with the peer.</summary>
    public SippProcess BobAgent { get; private set; } = null!;

    public (string Jid, string Password) AliceAccount { get; private set; }

    public XmppAgent Alice => _alice ?? throw new InvalidOperationException("alice is not logged in");

    /// <summary>alice's local part, as bob addresses her (sip:alice-…@example.com).</summary>
    public string AliceUser => AliceAccount.Jid[..AliceAccount.Jid.IndexOf('@', StringComparison.Ordinal)];

    /// <param name="federate">Configure federation (enabled, the peer trusted, the route); false leaves it to the test.</param>
    /// <param name="tls">Federate over TLS: peer-auth listener, listed subject, TLS route, no ACL entry.</param>
    /// <param name="routingNode">A routing node (127.0.0.2) in front of the home node (127.0.0.3): the peer's static route points at it.</param>
    public static async Task<FederationTestBed> StartAsync(string flavour = "generic", bool federate = true, bool autoApprove = true, PeerTlsSetup? tls = null, bool routingNode = false)
    {
        KamailioPeer.Require();
        SippProcess.Require();
        await RequiredTool.RequireSlixmppAsync();
        var parley = new FederatedParley(tls?.TrustedCaPath, withRoutingNode: routingNode);
        var bob = PeerUser.Create("bob");
        KamailioPeer? peer = null;
        try
        {
            await parley.StartAsync();
            peer = await KamailioPeer.StartAsync(tls is null
                ? new KamailioPeerOptions("peer", parley.TcpUri, [bob.User])
                : new KamailioPeerOptions("peer", parley.TlsUri, [bob.User], tls.KamailioCertificate));
            var bed = new FederationTestBed(parley, peer, bob);
            if (!autoApprove)
            {
                await parley.CliAsync("settings", "presence", "set", "--auto-approve", "off");
                await parley.WaitUntilAppliedAsync();
            }

            if (federate && tls is null)
            {
                await parley.FederateWithAsync(peer, flavour);
            }
            else if (federate)
            {
                await parley.FederateOverTlsWithAsync(peer, tls!.ListedSubject, flavour);
            }

            if (routingNode)
            {
                await parley.UseRoutingNodeAsync();
            }

            bed.BobAgent = bob.StartAgent();
            await bob.RegisterAsync(peer, parley.Logs());
            bed.AliceAccount = await parley.CreateUserAsync("alice");
            await bed.LoginAliceAsync();
            return bed;
        }
        catch
        {
            if (peer is not null)
            {
                await peer.DisposeAsync();
            }

            await bob.DisposeAsync();
            await parley.DisposeAsync();
            throw;
        }
    }

    /// <summary>Logs alice in (again: after a restart of Parley her old connection is gone).</summary>
    public async Task LoginAliceAsync()
    {
        if (_alice is not null)
        {
            await _alice.DisposeAsync();
        }

        _alice = await Parley.LoginAsync(AliceAccount, Context);
    }

    /// <summary>Everything a failure message needs: Parley's and Kamailio's logs, alice's and bob's lines.</summary>
    public string Context() =>
        $"{Parley.Logs()}\n{Peer.Describe()}\n{_alice?.Describe()}\n--- bob's user agent ---\n{BobAgent?.Log}\n" +
        $"--- bob's SIP messages (tail) ---\n{SippProcess.Tail(Bob.Traces, 150)}";

    public async ValueTask DisposeAsync()
    {
        if (_alice is not null)
        {
            await _alice.DisposeAsync();
        }

        await Bob.DisposeAsync();
        await Peer.DisposeAsync();
        await Parley.DisposeAsync();
    }
}
