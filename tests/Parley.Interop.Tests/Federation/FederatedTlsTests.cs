using System.Diagnostics;

namespace Parley.Interop.Tests.Federation;

/// <summary>
/// Federation over mutual TLS with certificates from a test CA (issue 5 acceptance, TLS bullet): Kamailio presenting a
/// certificate from the trusted peer CA with a listed CN is accepted both ways without any ACL entry; a CN not in the
/// list, a serverAuth-only certificate, an expired one and one from another CA each fail the handshake and each raise
/// their own inbound event (3600–3629) naming what was presented.
/// </summary>
public sealed class FederatedTlsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Step = FederationTestBed.Step;

    [Fact]
    public async Task A_peer_certificate_from_the_trusted_ca_with_a_listed_cn_works_both_ways()
    {
        using var pki = new PeerCertificates();
        var certificate = pki.Issue("kamailio", PeerCertificates.KamailioName);
        await using var bed = await FederationTestBed.StartAsync(tls: new PeerTlsSetup(pki.TrustedCaPath, certificate, PeerCertificates.KamailioName));

        // bob → alice: Kamailio → Parley's peer-auth listener (bound once the CLI named it: retried with a deadline).
        var code = 0;
        var stopwatch = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            code = await bed.Bob.SendMessageAsync(bed.Peer, bed.AliceUser, $"Fed-tls bob to alice {attempt}", bed.Context());
            if (code is 200 or 202)
            {
                await bed.Alice.WaitForLineAsync(Step, bed.Context, $"XMPP MESSAGE from={bed.Bob.Jid}", $"body=Fed-tls bob to alice {attempt}");
                break;
            }

            Assert.True(stopwatch.Elapsed < Step, $"bob's MESSAGE over TLS still got {code} after {Step.TotalSeconds:0} s.\n{bed.Context()}");
            await Task.Delay(1000);
        }

        Assert.NotEmpty(bed.Peer.Lines("PEER-TO-PARLEY MESSAGE"));

        // alice → bob: Parley → Kamailio's TLS listener, Parley checking Kamailio's server certificate.
        await bed.Alice.DoAsync(bed.Context, "message", to: bed.Bob.Jid, body: "Fed-tls alice to bob");
        await bed.BobAgent.WaitForLogAsync("text=Fed-tls alice to bob", Step, bed.Context);
        Assert.Contains(bed.Peer.Lines("PEER-REQ MESSAGE", $"sip:{bed.Bob.User}@"), l => l.Contains("/tls", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Peer_certificates_failing_a_check_are_refused_each_with_its_own_event()
    {
        using var pki = new PeerCertificates();
        var cases = new (string Name, (string, string) Certificate, string What, Func<string, bool> Names)[]
        {
            ("CN not listed", pki.Issue("rogue", "rogue.peer.test"), "the presented CN rogue.peer.test",
                m => m.Contains("rogue.peer.test", StringComparison.OrdinalIgnoreCase)),
            ("serverAuth only", pki.Issue("server-only", PeerCertificates.KamailioName, PeerCertificateFlaw.ServerAuthOnly), "the missing clientAuth usage",
                m => new[] { "clientAuth", "client auth", "1.3.6.1.5.5.7.3.2" }.Any(w => m.Contains(w, StringComparison.OrdinalIgnoreCase))),
            ("expired", pki.Issue("expired", PeerCertificates.KamailioName, PeerCertificateFlaw.Expired), "the expiry",
                m => new[] { "expired", "valid from", "not valid", "validity" }.Any(w => m.Contains(w, StringComparison.OrdinalIgnoreCase))),
            ("another CA", pki.Issue("other-ca", PeerCertificates.KamailioName, PeerCertificateFlaw.OtherCa), "the issuer 'Parley federation unrelated CA'",
                m => m.Contains("unrelated CA", StringComparison.OrdinalIgnoreCase)),
        };
        var good = pki.Issue("kamailio", PeerCertificates.KamailioName);
        await using var bed = await FederationTestBed.StartAsync(tls: new PeerTlsSetup(pki.TrustedCaPath, good, PeerCertificates.KamailioName));
        await WaitUntilTheListenerAcceptsAsync(bed);

        var ids = new Dictionary<int, string>();
        foreach (var (name, certificate, what, names) in cases)
        {
            var lastSequence = (await FederatedParley.EventsAsync(bed.Parley.Home)).Select(e => e.GetProperty("sequence").GetInt64()).DefaultIfEmpty(0).Max();
            await using var rogue = await KamailioPeer.StartAsync(new KamailioPeerOptions(name.Replace(' ', '-'), bed.Parley.TlsUri, [bed.Bob.User], certificate));
            var text = $"Fed-tls refused {name}";
            var code = await bed.Bob.SendMessageAsync(rogue, bed.AliceUser, text, bed.Context());
            string Context() => $"case '{name}': bob's MESSAGE got {code}\n{bed.Context()}\n{rogue.Describe()}";
            Assert.False(code is >= 200 and < 300, $"a peer certificate with {name} must fail the TLS handshake.\n{Context()}");

            var raised = await bed.Parley.WaitForEventAsync(bed.Parley.Home, Step, Context, $"an inbound event newer than #{lastSequence} naming {what}",
                e => e.GetProperty("sequence").GetInt64() > lastSequence && e.GetProperty("id").GetInt32() is >= 3600 and <= 3629 && names(FederatedParley.Message(e)));
            var id = raised.GetProperty("id").GetInt32();
            output.WriteLine($"{name}: event {id}: {FederatedParley.Message(raised)}");
            Assert.False(ids.TryGetValue(id, out var other), $"case '{name}' raised event {id}, the same ID as case '{other}': each failed check needs its own event.\n{Context()}");
            ids[id] = name;
            Assert.Empty(bed.Alice.Lines(text));
        }
    }

    /// <summary>A good certificate gets through first, so the refusals below are the checks' and not a listener not yet bound.</summary>
    private static async Task WaitUntilTheListenerAcceptsAsync(FederationTestBed bed)
    {
        var stopwatch = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            var code = await bed.Bob.SendMessageAsync(bed.Peer, bed.AliceUser, $"Fed-tls good {attempt}", bed.Context());
            if (code is 200 or 202)
            {
                return;
            }

            Assert.True(stopwatch.Elapsed < Step, $"the good peer certificate was not accepted within {Step.TotalSeconds:0} s (last answer {code}).\n{bed.Context()}");
            await Task.Delay(1000);
        }
    }
}
