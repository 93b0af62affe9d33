using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Replication;

/// <summary>
/// One CMS master and N replicas as separate `parley serve` processes on 127.0.0.1, .2, .3 …, each with its own
/// certificate from one deployment CA and its own bootstrap file (cms.master, cms.caCertificate, listeners.replicaAgent).
/// The topology naming them is published on the master through the CLI, as an administrator would.
/// </summary>
public sealed class ReplicatedDeployment : IAsyncDisposable
{
    public const string Domain = "example.com";
    public const string Pool = "pool1.parley.test";

    /// <summary>Domains the certificates name, so XMPP clients can log in to any of them after a change.</summary>
    public static readonly string[] CertificateDomains = [Domain, "new.parley.test", "later.parley.test"];

    private readonly string _root = System.IO.Directory.CreateTempSubdirectory("parley-replication-").FullName;

    public ReplicatedDeployment(int replicas)
    {
        Certificates = new DeploymentCertificates(Path.Combine(_root, "pki"));

        // Short retry cap and status poll: faults and recoveries show within seconds (production: 60 s, 10 s).
        var timings = new Dictionary<string, string> { ["PARLEY_REPLICATION_RETRY_MAX_MS"] = "1000", ["PARLEY_REPLICATION_STATUS_MS"] = "1000" };
        Master = new ReplicatedNode(_root, "cms1.parley.test", "127.0.0.1", master: null, timings);
        Replicas = Enumerable.Range(2, replicas)
            .Select(i => new ReplicatedNode(_root, $"fe{i}.parley.test", $"127.0.0.{i}", Master.Fqdn, timings))
            .ToArray();
        foreach (var node in All)
        {
            var (certificate, key) = Certificates.Issue(node.Fqdn, node.Fqdn, CertificateDomains);
            node.WriteBootstrap(certificate, key, Certificates.CaPath, Domain);
        }
    }

    public DeploymentCertificates Certificates { get; }

    public ReplicatedNode Master { get; }

    public IReadOnlyList<ReplicatedNode> Replicas { get; }

    public IEnumerable<ReplicatedNode> All => [Master, .. Replicas];

    /// <summary>Starts the replicas (serving nothing yet), then the master, then publishes the topology and waits until all are UpToDate.</summary>
    public async Task StartAsync()
    {
        await Task.WhenAll(Replicas.Select(r => r.StartAsync()));
        await Master.StartAsync();
        await PublishTopologyAsync();
        await WaitUpToDateAsync(TimeSpan.FromSeconds(30));
    }

    public async Task PublishTopologyAsync()
    {
        (await Master.CliAsync("topology", "site", "add", "hq")).ShouldSucceed();
        (await Master.CliAsync("topology", "pool", "add", Pool, "--site", "hq")).ShouldSucceed();
        foreach (var node in All)
        {
            (await Master.CliAsync("topology", "node", "add", "--fqdn", node.Fqdn, "--ip", node.Address, "--pool", Pool,
                "--roles", node == Master ? "cms,frontend" : "frontend",
                "--xmpp-port", Port(node.XmppPort), "--sip-port", Port(node.SipPort), "--sips-port", "0", "--admin-port", "0",
                "--replica-port", Port(node.ReplicaPort))).ShouldSucceed();
        }
    }

    /// <summary>`parley replication status --json` on the master.</summary>
    public async Task<JsonElement> StatusAsync(ReplicatedNode? node = null)
    {
        var result = (await (node ?? Master).CliAsync("replication", "status", "--json")).ShouldSucceed();
        using var document = JsonDocument.Parse(result.StandardOutput);
        return document.RootElement.Clone();
    }

    /// <summary>Polls the master's status until every node (or <paramref name="only"/>) is UpToDate; returns how long it took.</summary>
    public async Task<TimeSpan> WaitUpToDateAsync(TimeSpan within, params ReplicatedNode[] only)
    {
        var nodes = only.Length == 0 ? All.ToArray() : only;
        var stopwatch = Stopwatch.StartNew();
        JsonElement status = default;
        while (stopwatch.Elapsed < within)
        {
            status = await StatusAsync();
            var upToDate = status.GetProperty("replicas").EnumerateArray()
                .Where(r => r.GetProperty("upToDate").GetBoolean())
                .Select(r => r.GetProperty("fqdn").GetString())
                .ToHashSet(StringComparer.OrdinalIgnoreCase);
            if (nodes.All(n => upToDate.Contains(n.Fqdn)))
            {
                return stopwatch.Elapsed;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"not UpToDate within {within.TotalSeconds:0} s: {string.Join(", ", nodes.Select(n => n.Fqdn))}. Status:\n{status}\n{Logs()}");
        return stopwatch.Elapsed;
    }

    /// <summary>Waits for an event on <paramref name="node"/> whose message satisfies <paramref name="match"/>; fails naming what was stored.</summary>
    public async Task<JsonElement> WaitForEventAsync(ReplicatedNode node, int id, Func<string, bool> match, TimeSpan within)
    {
        var stopwatch = Stopwatch.StartNew();
        IReadOnlyList<JsonElement> events = [];
        while (stopwatch.Elapsed < within)
        {
            events = await node.EventsAsync(id);
            foreach (var e in events)
            {
                if (match(e.GetProperty("message").GetString()!))
                {
                    return e;
                }
            }

            await Task.Delay(200);
        }

        Assert.Fail($"no event {id} on {node.Fqdn} matching within {within.TotalSeconds:0} s; stored: {string.Join(" | ", events.Select(e => e.GetProperty("message").GetString()))}\n{Logs()}");
        return default;
    }

    public string Logs() => string.Join("\n", All.Select(n => $"===== {n.Fqdn} =====\n{Tail(n.Output)}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var node in All)
        {
            await node.DisposeAsync();
        }

        Certificates.Dispose();
        RunDirectories.DeleteUnlessKept(_root);
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static string Tail(string text) => text.Length > 6000 ? text[^6000..] : text;
}
