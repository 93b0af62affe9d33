using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Parley.Interop.Tests.Harness;

/// <summary>
/// One `parley serve` child process on 127.0.0.1 with its own data directory and a free XMPP
/// port. The process is always killed on dispose; the data directory is deleted unless
/// PARLEY_TEST_KEEP_DATA is set.
/// </summary>
public sealed partial class ParleyProcess : IAsyncDisposable
{
    public const string Domain = "example.com";
    public const string Host = "127.0.0.1";

    /// <summary>How long `serve` may take to print "ready".</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long a SIGTERM'd server may take to exit.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Whether this build's `serve` has the SIP listener flags (checked once per test run).</summary>
    private static readonly Lazy<Task<bool>> ServeHasSipFlags = new(async () =>
        (await ParleyCli.RunAsync("serve", "--help")).StandardOutput.Contains("--sip-port", StringComparison.Ordinal));

    private readonly StringBuilder _output = new();
    private readonly bool _ownsDataDirectory;
    private Process? _process;

    public ParleyProcess(string? dataDirectory = null)
    {
        _ownsDataDirectory = dataDirectory is null;
        DataDirectory = dataDirectory ?? Directory.CreateTempSubdirectory("parley-interop-").FullName;
    }

    public string DataDirectory { get; }

    /// <summary>The private CA created by the server on first start; clients trust it.</summary>
    public string CaPath => Path.Combine(DataDirectory, "certs", "ca.pem");

    public int XmppPort { get; private set; }

    /// <summary>Listen for SIP on free ports (UDP+TCP <see cref="SipPort"/>, TLS <see cref="SipsPort"/>); otherwise SIP is off (0).</summary>
    public bool EnableSip { get; init; }

    public int SipPort { get; private set; }

    /// <summary>Also listen for the admin API (HTTPS) on a free port, for <see cref="CollectGarbageAsync"/>.</summary>
    public bool EnableAdmin { get; init; }

    public int AdminPort { get; private set; }

    /// <summary>Environment variables for the server process, on top of the test host's.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public int SipsPort { get; private set; }

    public int Pid => _process?.Id ?? throw new InvalidOperationException("server not started");

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Everything the server printed so far (stdout and stderr interleaved).</summary>
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

    public static async Task<ParleyProcess> StartNewAsync(CancellationToken cancellationToken = default)
        => await StartNewAsync(enableSip: false, cancellationToken);

    public static async Task<ParleyProcess> StartNewAsync(bool enableSip, CancellationToken cancellationToken = default)
    {
        var server = new ParleyProcess { EnableSip = enableSip };
        try
        {
            await server.StartAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts `parley serve` and waits until it prints "ready". Keeps the port across restarts.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("server already running");
        }

        if (XmppPort == 0)
        {
            XmppPort = FreeTcpPort();
        }

        var sipArguments = await SipArgumentsAsync();

        Append($"--- starting parley serve on {Host}:{XmppPort}, data {DataDirectory} ---");
        var (process, ready) = ServeProcess.Start(
            new[]
            {
                "serve", "--data", DataDirectory, "--domain", Domain, "--bind", Host,
                "--xmpp-port", XmppPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--admin-port", AdminPortArgument(),
            }.Concat(sipArguments),
            DataDirectory, Environment, Append, line => ReadyLine().IsMatch(line));
        _process = process;

        var timeout = Task.Delay(StartTimeout, cancellationToken);
        var finished = await Task.WhenAny(ready, timeout);
        if (finished == timeout || ready.IsFaulted)
        {
            var why = finished == timeout
                ? $"did not print 'ready' within {StartTimeout.TotalSeconds:0} s"
                : $"exited with code {SafeExitCode(process)} before printing 'ready'";
            await KillAsync();
            throw new InvalidOperationException($"parley serve {why}. Output:\n{Output}");
        }
    }

    /// <summary>SIGTERM, wait, and assert a clean exit with code 0.</summary>
    public async Task StopAsync()
    {
        var process = _process ?? throw new InvalidOperationException("server not started");
        if (!process.HasExited)
        {
            _ = NativeMethods.Kill(process.Id, NativeMethods.SIGTERM);
            using var cts = new CancellationTokenSource(StopTimeout);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                await KillAsync();
                Assert.Fail($"parley serve did not exit within {StopTimeout.TotalSeconds:0} s of SIGTERM. Output:\n{Output}");
            }
        }

        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"parley serve exited with code {process.ExitCode} after SIGTERM (expected 0). Output:\n{Output}");
    }

    /// <summary>Graceful stop (asserting exit 0), then start again on the same data directory and port.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync();
        await StartAsync(cancellationToken);
    }

    /// <summary>SIGKILL: the crash case. Does not assert anything about the exit.</summary>
    public async Task KillAsync()
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        await ProcessKill.KillAndWaitAsync(process);
    }

    /// <summary>The server's resident set size (VmRSS from /proc/PID/status) in bytes.</summary>
    public long ReadRssBytes() => ProcStatus.ReadRssBytes(Pid);

    /// <summary>
    /// A full, blocking garbage collection in the server (admin API <c>POST /api/v1/diagnostics/collect-garbage</c>);
    /// returns the managed heap that survived it, which a leak grows (the RSS also holds memory the collector keeps
    /// committed between collections).
    /// </summary>
    public async Task<long> CollectGarbageAsync()
    {
        Assert.True(EnableAdmin, "start the server with EnableAdmin to use the admin API");
        using var ca = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(CaPath);
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, presented, _, _) =>
            {
                if (presented is null)
                {
                    return false;
                }

                using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
                chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
                return chain.Build(presented); // the name is the node's, not 127.0.0.1: the chain to the server's own CA is the check
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = new Uri($"https://{Host}:{AdminPort}") };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Bearer", (await File.ReadAllTextAsync(Path.Combine(DataDirectory, "admin", "token"))).Trim());
        using var response = await client.PostAsync("/api/v1/diagnostics/collect-garbage", null);
        response.EnsureSuccessStatusCode();
        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("managedHeapBytes").GetInt64();
    }

    /// <summary>Runs `parley ARGS --data DIR` (the data directory is appended unless given) and returns the result.</summary>
    public Task<CliResult> RunCliAsync(params string[] arguments)
    {
        var full = arguments.Contains("--data") ? arguments : [.. arguments, "--data", DataDirectory];
        return ParleyCli.RunAsync(full);
    }

    /// <summary>Creates an enabled user with a unique local part; returns its JID and password.</summary>
    public async Task<(string Jid, string Password)> CreateUserAsync(string name)
    {
        var jid = $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)] + "@" + Domain;
        var password = $"pw-{Guid.NewGuid():N}";
        (await RunCliAsync("user", "add", jid, "--password", password)).ShouldSucceed();
        return (jid, password);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        _process = null;
        if (_ownsDataDirectory)
        {
            RunDirectories.DeleteUnlessKept(DataDirectory);
        }
    }

    public static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>SIP on free ports (kept across restarts) when enabled, else explicitly off so no test binds 5060.</summary>
    private string AdminPortArgument()
    {
        if (EnableAdmin && AdminPort == 0)
        {
            AdminPort = FreeTcpPort();
        }

        return AdminPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<string[]> SipArgumentsAsync()
    {
        if (!await ServeHasSipFlags.Value)
        {
            Assert.False(EnableSip, "this build of `parley serve` has no --sip-port option yet: the SIP server is not in it");
            return [];
        }

        if (!EnableSip)
        {
            return ["--sip-port", "0", "--sips-port", "0"];
        }

        if (SipPort == 0)
        {
            SipPort = FreePorts.UdpAndTcp();
            SipsPort = FreePorts.Tcp();
        }

        return
        [
            "--sip-port", SipPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--sips-port", SipsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ];
    }

    private static string SafeExitCode(Process p)
    {
        try
        {
            return p.HasExited ? p.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "(running)";
        }
        catch (InvalidOperationException)
        {
            return "(unknown)";
        }
    }

    private void Append(string line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    [GeneratedRegex(@"\bready\b", RegexOptions.IgnoreCase)]
    private static partial Regex ReadyLine();

    private static class NativeMethods
    {
        public const int SIGTERM = 15;

        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        public static extern int Kill(int pid, int signal);
    }
}
