using System.Diagnostics;

namespace Parley.Interop.Tests.Federation;

/// <summary>
/// The test beds of <see cref="FederatedTlsTests"/>, shared by its rows so each failure case is its own row without a
/// Parley and a Kamailio of its own: federation over mutual TLS (the peer PKI's CA trusted, Kamailio presenting a good
/// certificate with the listed CN), one bed with Parley alone and one with a routing node, each started on first use
/// and proven to accept the good certificate before any row runs (so a refusal is a check's, not a listener not yet
/// bound).
/// </summary>
public sealed class PeerTlsBeds : IAsyncLifetime
{
    private readonly Lazy<Task<FederationTestBed>> _direct;
    private readonly Lazy<Task<FederationTestBed>> _routed;

    public PeerTlsBeds()
    {
        _direct = new(() => StartAsync(routingNode: false));
        _routed = new(() => StartAsync(routingNode: true));
    }

    public PeerCertificates Pki { get; } = new();

    public Task<FederationTestBed> BedAsync(bool routingNode) => (routingNode ? _routed : _direct).Value;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var bed in new[] { _direct, _routed }.Where(b => b.IsValueCreated && b.Value.IsCompletedSuccessfully))
        {
            await bed.Value.Result.DisposeAsync();
        }

        Pki.Dispose();
    }

    private async Task<FederationTestBed> StartAsync(bool routingNode)
    {
        var good = Pki.Issue(routingNode ? "kamailio-routed" : "kamailio-direct", PeerCertificates.KamailioName);
        var bed = await FederationTestBed.StartAsync(tls: new PeerTlsSetup(Pki.TrustedCaPath, good, PeerCertificates.KamailioName), routingNode: routingNode);
        try
        {
            await WaitUntilTheListenerAcceptsAsync(bed);
            return bed;
        }
        catch
        {
            await bed.DisposeAsync();
            throw;
        }
    }

    /// <summary>The peer-auth listener is bound once the CLI named it (and, behind a routing node, the homing replicated): retried with a deadline.</summary>
    private static async Task WaitUntilTheListenerAcceptsAsync(FederationTestBed bed)
    {
        var stopwatch = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            var text = $"Fed-tls good {attempt}";
            var code = await bed.Bob.SendMessageAsync(bed.Peer, bed.AliceUser, text, bed.Context());
            if (code is 200 or 202)
            {
                await bed.Alice.WaitForLineAsync(FederationTestBed.Step, bed.Context, $"XMPP MESSAGE from={bed.Bob.Jid}", $"body={text}");
                return;
            }

            Assert.True(stopwatch.Elapsed < FederationTestBed.Step, $"the good peer certificate was not accepted within {FederationTestBed.Step.TotalSeconds:0} s (last answer {code}).\n{bed.Context()}");
            await Task.Delay(1000);
        }
    }
}
