using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Parley.Interop.Tests.Harness;
using Parley.Interop.Tests.Replication;

namespace Parley.Interop.Tests.Federation;

/// <summary>
/// Parley as one side of the federation: real `parley serve --config` processes (one node, or a routing node in
/// front of the users' home node) with certificates from a deployment CA, a published topology, and federation
/// configured through `parley federation …` on the running master, as an administrator would (hot: no restart).
/// </summary>
public sealed class FederatedParley : IAsyncDisposable
{
    public const string Domain = "example.com";
    public const string Pool = "pool1.parley.test";
    public const string RoutingPool = "routing.parley.test";

    private readonly string _root = System.IO.Directory.CreateTempSubdirectory("parley-federation-").FullName;
    private readonly string? _trustedPeerCa;
    private readonly Dictionary<ReplicatedNode, int> _peerTlsPorts = [];

    /// <param name="trustedPeerCa">certificates.trustedPeerCa in every node's bootstrap file; null leaves the key out (the default applies).</param>
    /// <param name="withRoutingNode">Adds a routing node on 127.0.0.2 in front of the home node, which then moves to 127.0.0.3.</param>
    public FederatedParley(string? trustedPeerCa = null, bool withRoutingNode = false)
    {
        _trustedPeerCa = trustedPeerCa;
        Certificates = new DeploymentCertificates(Path.Combine(_root, "pki"));
        Home = new ReplicatedNode(_root, "parley1.parley.test", withRoutingNode ? "127.0.0.3" : "127.0.0.1", master: null, Timings);
        Routing = withRoutingNode ? new ReplicatedNode(_root, "routing1.parley.test", "127.0.0.2", Home.Fqdn, Timings) : null;
        foreach (var node in All)
        {
            _peerTlsPorts[node] = FreePorts.Tcp();
            var (certificate, key) = Certificates.Issue(node.Fqdn, node.Fqdn, Domain);
            WriteBootstrap(node, certificate, key);
        }
    }

    public DeploymentCertificates Certificates { get; }

    /// <summary>The users' home node and CMS master (127.0.0.1, or 127.0.0.3 behind a routing node).</summary>
    public ReplicatedNode Home { get; }

    /// <summary>The routing node (127.0.0.2), when there is one.</summary>
    public ReplicatedNode? Routing { get; }

    /// <summary>The node the peer sends to: the routing node when there is one, else the home node.</summary>
    public ReplicatedNode Front => Routing ?? Home;

    /// <summary>Each node's peer-auth TLS port (bound once `federation tls-listener set --peer-auth` names it).</summary>
    public IReadOnlyDictionary<ReplicatedNode, int> PeerTlsPorts => _peerTlsPorts;

    public IEnumerable<ReplicatedNode> All => Routing is null ? [Home] : [Home, Routing];

    /// <summary>Short replication retry and status poll, as the replication tests use.</summary>
    private static Dictionary<string, string> Timings => new()
    {
        ["PARLEY_REPLICATION_RETRY_MAX_MS"] = "1000",
        ["PARLEY_REPLICATION_STATUS_MS"] = "1000",
    };

    /// <summary>The static route Kamailio uses to reach Parley's front node over TCP.</summary>
    public string TcpUri => $"sip:{Front.Address}:{Port(Front.SipPort)};transport=tcp";

    /// <summary>The static route Kamailio uses to reach Parley's front node's peer-auth TLS listener.</summary>
    public string TlsUri => $"sip:{Front.Address}:{Port(PeerTlsPorts[Front])};transport=tls";

    /// <summary>Starts the nodes and publishes the topology (with the routing node's role) on the master.</summary>
    public async Task StartAsync()
    {
        if (Routing is not null)
        {
            await Routing.StartAsync();
        }

        await Home.StartAsync();
        await CliAsync("topology", "site", "add", "hq");
        await CliAsync("topology", "pool", "add", Pool, "--site", "hq");
        if (Routing is not null)
        {
            await CliAsync("topology", "pool", "add", RoutingPool, "--site", "hq");
        }

        foreach (var node in All)
        {
            await CliAsync(
                "topology", "node", "add", "--fqdn", node.Fqdn, "--ip", node.Address, "--pool", node == Routing ? RoutingPool : Pool,
                "--roles", node == Routing ? "routing" : "cms,frontend",
                "--xmpp-port", Port(node.XmppPort), "--sip-port", Port(node.SipPort), "--sips-port", "0", "--admin-port", "0",
                "--sip-peer-port", Port(PeerTlsPorts[node]), "--replica-port", Port(node.ReplicaPort));
        }
    }

    /// <summary>
    /// With a routing node: users homed on the home node's pool (topology.homing.defaultPool, through `parley config
    /// show/set topology`, there being no narrower command) and the routing node named in the federation options.
    /// </summary>
    public async Task UseRoutingNodeAsync()
    {
        var routing = Routing ?? throw new InvalidOperationException("started without a routing node");
        var topology = JsonNode.Parse((await CliAsync("config", "show", "topology")).StandardOutput)!.AsObject();
        var homing = topology["homing"] as JsonObject ?? [];
        homing["defaultPool"] = Pool;
        topology["homing"] = homing;
        var file = Path.Combine(Home.Directory, "topology.json");
        await File.WriteAllTextAsync(file, topology.ToJsonString());
        await CliAsync("config", "set", "topology", file);
        await FederationAsync("set", "--routing-node", routing.Fqdn);
        await WaitUntilAppliedAsync();
    }

    /// <summary>Runs `parley ARGS --data DIR` on the master and fails the test unless it succeeds.</summary>
    public async Task<CliResult> CliAsync(params string[] arguments) => (await Home.CliAsync(arguments)).ShouldSucceed();

    /// <summary>`parley federation ARGS` on the master; must succeed.</summary>
    public Task<CliResult> FederationAsync(params string[] arguments) => CliAsync(["federation", .. arguments]);

    /// <summary>Federation on, the peer trusted by address, and one static route for example.com to it.</summary>
    public async Task FederateWithAsync(KamailioPeer peer, string flavour = "generic", string transport = "tcp", int priority = 1)
    {
        await FederationAsync("set", "--enabled", "true");
        await FederationAsync("acl", "add", KamailioPeer.Address, "--description", "kamailio interop peer");
        await AddRouteAsync(peer, flavour, transport, priority);
    }

    /// <summary>
    /// Waits until every node applied the master's current configuration revision or a later one ("Configuration
    /// revision N applied", event 3402, on the master; "Replica applied revision N", event 1041, on a replica):
    /// configuration is hot, and a test acting before it applied would test the old one.
    /// </summary>
    public async Task WaitUntilAppliedAsync()
    {
        var summary = (await CliAsync("config", "show")).StandardOutput;
        var match = System.Text.RegularExpressions.Regex.Match(summary, @"Configuration revision (\d+)");
        Assert.True(match.Success, $"`parley config show` printed no revision:\n{summary}");
        var revision = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        foreach (var node in All)
        {
            var stopwatch = Stopwatch.StartNew();
            long applied = 0;
            while (applied < revision)
            {
                Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"{node.Fqdn} did not apply configuration revision {revision} within 30 s (last applied {applied}).\n{Logs()}");
                await Task.Delay(200);
                applied = (await node.EventsAsync(node == Home ? 3402 : 1041))
                    .Select(e => System.Text.RegularExpressions.Regex.Match(Message(e), @"revision (\d+)"))
                    .Where(m => m.Success)
                    .Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
                    .DefaultIfEmpty(0)
                    .Max();
            }
        }
    }

    /// <summary>
    /// Federation on, the peer trusted only by its certificate: a peer-auth TLS listener on the front node, the
    /// subject listed, and a TLS static route for example.com to the peer's TLS port.
    /// </summary>
    public async Task FederateOverTlsWithAsync(KamailioPeer peer, string subject, string flavour = "generic")
    {
        await FederationAsync("set", "--enabled", "true");
        await FederationAsync("tls-listener", "set", "--node", Front.Fqdn, "--port", Port(PeerTlsPorts[Front]), "--peer-auth", "--description", "kamailio interop peer");
        await FederationAsync("peer-subject", "add", subject);
        await AddRouteAsync(peer, flavour, "tls");
    }

    /// <summary>A static route for example.com to <paramref name="peer"/>; returns once every node applied it.</summary>
    public async Task AddRouteAsync(KamailioPeer peer, string flavour = "generic", string transport = "tcp", int priority = 1)
    {
        await FederationAsync(
            "route", "add", "--pattern", Domain, "--next-hop", KamailioPeer.Address,
            "--port", Port(transport == "tls" ? peer.TlsPort : peer.SipPort), "--transport", transport,
            "--priority", Port(priority), "--flavour", flavour, "--description", $"kamailio {peer.Name}");
        await WaitUntilAppliedAsync();
    }

    /// <summary>Creates an XMPP user on the master (homed by default on the home node's pool).</summary>
    public async Task<(string Jid, string Password)> CreateUserAsync(string name)
    {
        var jid = $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)] + "@" + Domain;
        var password = $"pw-{Guid.NewGuid():N}";
        await CliAsync("user", "add", jid, "--password", password);
        return (jid, password);
    }

    /// <summary>Logs an XMPP user in on the home node.</summary>
    public async Task<XmppAgent> LoginAsync((string Jid, string Password) user, Func<string> context) =>
        await XmppAgent.StartAsync(Home.Address, Home.XmppPort, Certificates.CaPath, user.Jid, user.Password, context);

    /// <summary>
    /// Waits for a federation event (3600–3699) on <paramref name="node"/> whose message contains every fragment
    /// (compared case-insensitively); returns it. The IDs are looked up by text, not hard-coded.
    /// </summary>
    public Task<JsonElement> WaitForEventAsync(ReplicatedNode node, TimeSpan within, Func<string> context, params string[] fragments) =>
        WaitForEventAsync(node, within, context, string.Join(" + ", fragments.Select(f => $"'{f}'")),
            e => fragments.All(f => Message(e).Contains(f, StringComparison.OrdinalIgnoreCase)));

    /// <summary>Waits for a federation event (3600–3699) on <paramref name="node"/> that <paramref name="match"/> accepts; returns it.</summary>
    public async Task<JsonElement> WaitForEventAsync(ReplicatedNode node, TimeSpan within, Func<string> context, string what, Func<JsonElement, bool> match)
    {
        var stopwatch = Stopwatch.StartNew();
        IReadOnlyList<JsonElement> events = [];
        while (stopwatch.Elapsed < within)
        {
            events = await EventsAsync(node);
            var found = events.FirstOrDefault(e => IsFederationEvent(e) && match(e));
            if (found.ValueKind != JsonValueKind.Undefined)
            {
                return found;
            }

            await Task.Delay(500);
        }

        Assert.Fail($"no federation event (3600–3699) on {node.Fqdn} with {what} within {within.TotalSeconds:0} s; " +
            $"events stored:\n{string.Join("\n", events.Select(e => $"{e.GetProperty("id")} (#{e.GetProperty("sequence")}): {Message(e)}"))}\n{context()}");
        return default;
    }

    /// <summary>The newest 500 events stored on <paramref name="node"/> (`parley events --json`), newest first.</summary>
    public static async Task<IReadOnlyList<JsonElement>> EventsAsync(ReplicatedNode node)
    {
        var result = await node.CliAsync("events", "--json", "--limit", "500");
        if (result.ExitCode != 0)
        {
            return [];
        }

        using var document = JsonDocument.Parse(result.StandardOutput);
        return document.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    public static string Message(JsonElement e) => e.GetProperty("message").GetString() ?? "";

    public string Logs() => string.Join("\n", All.Select(n => $"===== parley {n.Fqdn} ({n.Address}) =====\n{SippProcess.Tail(n.Output, 80)}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var node in All)
        {
            await node.DisposeAsync();
        }

        Certificates.Dispose();
        RunDirectories.DeleteUnlessKept(_root);
    }

    public static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static bool IsFederationEvent(JsonElement e) => e.GetProperty("id").GetInt32() is >= 3600 and <= 3699;

    /// <summary>parley.json as <see cref="ReplicatedNode.WriteBootstrap"/> writes it, plus certificates.trustedPeerCa when given.</summary>
    private void WriteBootstrap(ReplicatedNode node, string certificatePath, string keyPath)
    {
        var certificates = new Dictionary<string, string> { ["certificate"] = certificatePath, ["privateKey"] = keyPath };
        if (_trustedPeerCa is not null)
        {
            certificates["trustedPeerCa"] = _trustedPeerCa;
        }

        var cms = new Dictionary<string, object> { ["caCertificate"] = Certificates.CaPath };
        if (node.Master is not null)
        {
            cms["master"] = node.Master;
        }

        var bootstrap = new Dictionary<string, object>
        {
            ["fqdn"] = node.Fqdn,
            ["roles"] = node == Routing ? ["routing"] : new[] { "cms", "frontend" },
            ["dataDirectory"] = node.DataDirectory,
            ["bindAddress"] = node.Address,
            ["initialDomain"] = Domain,
            ["listeners"] = new Dictionary<string, int> { ["xmpp"] = node.XmppPort, ["admin"] = 0, ["sip"] = node.SipPort, ["sipTls"] = 0, ["replicaAgent"] = node.ReplicaPort },
            ["certificates"] = certificates,
            ["cms"] = cms,
        };
        File.WriteAllText(node.ConfigPath, JsonSerializer.Serialize(bootstrap, new JsonSerializerOptions { WriteIndented = true }));
    }
}
