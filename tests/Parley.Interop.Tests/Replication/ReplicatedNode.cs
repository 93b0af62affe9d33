using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Replication;

/// <summary>
/// One node of a multi-node deployment: its own address on 127/8, ports, certificate from the deployment CA, data
/// directory and bootstrap file, run as a real `parley serve --config` process.
/// </summary>
public sealed class ReplicatedNode : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private Process? _process;

    public ReplicatedNode(string root, string fqdn, string address, string? master, IReadOnlyDictionary<string, string>? environment = null)
    {
        Fqdn = fqdn;
        Address = address;
        Master = master;
        Environment = environment ?? new Dictionary<string, string>();
        Directory = Path.Combine(root, fqdn);
        DataDirectory = Path.Combine(Directory, "data");
        ConfigPath = Path.Combine(Directory, "parley.json");
        System.IO.Directory.CreateDirectory(Directory);
        XmppPort = FreePorts.Tcp();
        SipPort = FreePorts.UdpAndTcp();
        ReplicaPort = FreePorts.Tcp();
    }

    public string Fqdn { get; }

    public string Address { get; }

    /// <summary>cms.master in the bootstrap file; null on the master.</summary>
    public string? Master { get; }

    public IReadOnlyDictionary<string, string> Environment { get; set; }

    public string Directory { get; }

    public string DataDirectory { get; }

    public string ConfigPath { get; }

    public int XmppPort { get; }

    public int SipPort { get; }

    public int ReplicaPort { get; }

    public bool IsRunning => _process is { HasExited: false };

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Writes parley.json: fqdn, address, ports, the certificate, and cms.master/caCertificate.</summary>
    public void WriteBootstrap(string certificatePath, string keyPath, string caPath, string initialDomain)
    {
        var cms = new Dictionary<string, object> { ["caCertificate"] = caPath };
        if (Master is not null)
        {
            cms["master"] = Master;
        }

        var bootstrap = new Dictionary<string, object>
        {
            ["fqdn"] = Fqdn,
            ["dataDirectory"] = DataDirectory,
            ["bindAddress"] = Address,
            ["initialDomain"] = initialDomain,
            ["listeners"] = new Dictionary<string, int> { ["xmpp"] = XmppPort, ["admin"] = 0, ["sip"] = SipPort, ["sipTls"] = 0, ["replicaAgent"] = ReplicaPort },
            ["certificates"] = new Dictionary<string, string> { ["certificate"] = certificatePath, ["privateKey"] = keyPath },
            ["cms"] = cms,
        };
        File.WriteAllText(ConfigPath, JsonSerializer.Serialize(bootstrap, new JsonSerializerOptions { WriteIndented = true }));
    }

    public async Task StartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{Fqdn} already running");
        }

        Append($"--- starting {Fqdn} on {Address} ---");
        var (process, ready) = ServeProcess.Start(
            ["serve", "--config", ConfigPath], Directory, [new("PARLEY_LOG_LEVEL", "Information"), .. Environment],
            Append, line => line.Contains("Parley is ready", StringComparison.Ordinal));
        _process = process;
        var timeout = Task.Delay(ParleyProcess.StartTimeout);
        if (await Task.WhenAny(ready, timeout) == timeout || ready.IsFaulted)
        {
            await KillAsync();
            throw new InvalidOperationException($"{Fqdn}: parley serve did not become ready. Output:\n{Output}");
        }
    }

    /// <summary>SIGKILL: the node vanishes as in a crash or power loss.</summary>
    public async Task KillAsync()
    {
        if (_process is { } process)
        {
            await ProcessKill.KillAndWaitAsync(process);
            process.Dispose();
            _process = null;
        }
    }

    /// <summary>Runs `parley ARGS --data DIR` against this node's data directory.</summary>
    public Task<CliResult> CliAsync(params string[] arguments) => ParleyCli.RunAsync([.. arguments, "--data", DataDirectory]);

    /// <summary>The events with <paramref name="id"/> stored by this node (newest first), as JSON elements.</summary>
    public async Task<IReadOnlyList<JsonElement>> EventsAsync(int id)
    {
        var result = (await CliAsync("events", "--id", id.ToString(CultureInfo.InvariantCulture), "--json", "--limit", "100")).ShouldSucceed();
        using var document = JsonDocument.Parse(result.StandardOutput);
        return document.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    public async ValueTask DisposeAsync() => await KillAsync();

    private void Append(string line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
