using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Federation;

/// <summary>How a <see cref="KamailioPeer"/> is set up.</summary>
/// <param name="Name">Shown in its Server header and in failure messages (e.g. "primary").</param>
/// <param name="ParleyUri">The static route to Parley for every user of example.com not hosted here, e.g. sip:127.0.0.1:5060;transport=tcp.</param>
/// <param name="HostedUsers">Users hosted here even when not registered (their presence lives here).</param>
/// <param name="Tls">Certificate and key Kamailio presents on its TLS listener and on its TLS connections to Parley; null = no TLS.</param>
public sealed record KamailioPeerOptions(string Name, string ParleyUri, IReadOnlyList<string> HostedUsers, (string CertificatePath, string KeyPath)? Tls = null);

/// <summary>
/// A real Kamailio (Debian packages kamailio, kamailio-presence-modules, kamailio-sqlite-modules, kamailio-tls-modules)
/// as Parley's federation peer for example.com: Federation/Kamailio/peer.cfg written into a temporary directory,
/// run in the foreground with TLSF memory (-x tlsf, as bench/kamailio does) on 127.0.0.1 free ports (UDP+TCP, and TLS
/// when configured). Every request and reply it handles is an xlog line starting "PEER-" that tests count.
/// </summary>
public sealed class KamailioPeer : IAsyncDisposable
{
    public const string Address = "127.0.0.1";

    private const string ModulesDirectory = "/usr/lib/x86_64-linux-gnu/kamailio/modules";

    private static readonly (string Path, string Package)[] Needed =
    [
        ("/usr/sbin/kamailio", "kamailio"),
        ($"{ModulesDirectory}/presence.so", "kamailio-presence-modules"),
        ($"{ModulesDirectory}/presence_xml.so", "kamailio-presence-modules"),
        ($"{ModulesDirectory}/db_sqlite.so", "kamailio-sqlite-modules"),
        ("/usr/share/kamailio/db_sqlite/presence-create.sql", "kamailio-sqlite-modules"),
        ($"{ModulesDirectory}/tls.so", "kamailio-tls-modules"),
        (RequiredTool.Python, "python3"),
    ];

    private readonly StringBuilder _output = new();
    private readonly KamailioPeerOptions _options;
    private Process? _process;

    private KamailioPeer(KamailioPeerOptions options, string runDirectory)
    {
        _options = options;
        RunDirectory = runDirectory;
        SipPort = FreePorts.UdpAndTcp();
        TlsPort = options.Tls is null ? 0 : FreePorts.Tcp();
    }

    public string Name => _options.Name;

    public string RunDirectory { get; }

    /// <summary>UDP and TCP.</summary>
    public int SipPort { get; }

    /// <summary>0 without TLS.</summary>
    public int TlsPort { get; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Everything Kamailio printed (its log goes to stderr with -E), across restarts.</summary>
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

    public static void Require()
    {
        foreach (var (path, package) in Needed)
        {
            Assert.True(File.Exists(path), $"{path} not found: install Debian package {package} (sudo apt-get install -y {package}, or run .ci/run)");
        }
    }

    public static async Task<KamailioPeer> StartAsync(KamailioPeerOptions options)
    {
        Require();
        var peer = new KamailioPeer(options, Directory.CreateTempSubdirectory("parley-kamailio-peer-").FullName);
        try
        {
            await peer.WriteConfigurationAsync();
            await peer.StartAgainAsync();
            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the process on the same ports and configuration (after <see cref="StopAsync"/>); usrloc starts empty.</summary>
    public async Task StartAgainAsync()
    {
        Assert.False(IsRunning, $"kamailio {Name} is already running");
        var psi = new ProcessStartInfo("/usr/sbin/kamailio")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = RunDirectory,
        };
        List<string> arguments =
        [
            "-DD", "-E", "-f", Path.Combine(RunDirectory, "kamailio.cfg"), "-x", "tlsf", "-m", "128", "-M", "16",
            "-Y", RunDirectory, "-w", RunDirectory,
            "-l", $"udp:{Address}:{Port(SipPort)}", "-l", $"tcp:{Address}:{Port(SipPort)}",
        ];
        if (_options.Tls is not null)
        {
            arguments.AddRange(["-A", "WITH_TLS", "-l", $"tls:{Address}:{Port(TlsPort)}"]);
        }

        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        Append($"--- starting kamailio {Name}: {string.Join(' ', arguments)} ---");
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var stopwatch = Stopwatch.StartNew();
        while (!await AnswersOptionsAsync())
        {
            if (process.HasExited)
            {
                Assert.Fail($"kamailio {Name} exited (code {process.ExitCode}) at start.\n{Describe()}");
            }

            if (stopwatch.Elapsed > TimeSpan.FromSeconds(20))
            {
                await StopAsync();
                Assert.Fail($"kamailio {Name} did not answer OPTIONS on {Address}:{SipPort} within 20 s.\n{Describe()}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>SIGTERM (Kamailio's main process stops its children), SIGKILL after 10 s.</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                _ = NativeMethods.Kill(process.Id, NativeMethods.SIGTERM);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    await process.WaitForExitAsync(cts.Token);
                }
                catch (OperationCanceledException)
                {
                    await ProcessKill.KillAndWaitAsync(process);
                }
            }

            process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
        }

        process.Dispose();
        _process = null;
        Append($"--- kamailio {Name} stopped ---");
    }

    /// <summary>The "PEER-…" lines containing every one of <paramref name="fragments"/>.</summary>
    public IReadOnlyList<string> Lines(params string[] fragments) =>
        Output.Split('\n').Where(l => l.Contains("PEER-", StringComparison.Ordinal) && fragments.All(f => l.Contains(f, StringComparison.Ordinal))).ToArray();

    /// <summary>
    /// The distinct Call-IDs of the "PEER-…" lines with every fragment: requests counted once however often the script
    /// logged them (a UDP retransmission can reach a second worker before the first created the transaction).
    /// </summary>
    public int Calls(params string[] fragments) =>
        Lines(fragments).Select(l => l[(l.IndexOf("callid=", StringComparison.Ordinal) is var at and >= 0 ? at : l.Length)..].Trim()).Distinct(StringComparer.Ordinal).Count();

    /// <summary>Waits (bounded) until a "PEER-…" line contains every fragment.</summary>
    public async Task WaitForLineAsync(TimeSpan timeout, string context, params string[] fragments)
    {
        var stopwatch = Stopwatch.StartNew();
        while (Lines(fragments).Count == 0)
        {
            Assert.True(stopwatch.Elapsed < timeout, $"kamailio {Name} logged no line with {string.Join(" + ", fragments)} within {timeout.TotalSeconds:0} s.\n{Describe()}\n{context}");
            await Task.Delay(50);
        }
    }

    public string Describe() => $"--- kamailio {Name} (sip {Address}:{SipPort}, tls {TlsPort}) log tail ---\n" + SippProcess.Tail(Output, 80);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        RunDirectories.DeleteUnlessKept(RunDirectory);
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    /// <summary>peer.cfg with its placeholders filled, tls.cfg when TLS is on, and the SQLite file the presence modules open.</summary>
    private async Task WriteConfigurationAsync()
    {
        var template = await File.ReadAllTextAsync(Path.Combine(FederationPaths.Directory, "Kamailio", "peer.cfg"));
        var hosted = _options.HostedUsers.Count == 0 ? "^$" : "^(" + string.Join('|', _options.HostedUsers) + ")$";
        await File.WriteAllTextAsync(Path.Combine(RunDirectory, "kamailio.cfg"), template
            .Replace("@PARLEY_URI@", _options.ParleyUri, StringComparison.Ordinal)
            .Replace("@HOSTED_USERS@", hosted, StringComparison.Ordinal)
            .Replace("@RUN_DIR@", RunDirectory, StringComparison.Ordinal)
            .Replace("@NAME@", Name, StringComparison.Ordinal));
        if (_options.Tls is { } tls)
        {
            // Kamailio does not check Parley's certificate: what is under test is Parley's check of Kamailio's.
            await File.WriteAllTextAsync(Path.Combine(RunDirectory, "tls.cfg"), $"""
                [server:default]
                method = TLSv1.2+
                verify_certificate = no
                require_certificate = no
                certificate = {tls.CertificatePath}
                private_key = {tls.KeyPath}

                [client:default]
                method = TLSv1.2+
                verify_certificate = no
                require_certificate = no
                certificate = {tls.CertificatePath}
                private_key = {tls.KeyPath}

                """);
        }

        var (code, _, stderr) = await ProcessRunner.RunAsync(
            RequiredTool.Python,
            ["-c", "import sqlite3, sys\ndb = sqlite3.connect(sys.argv[1])\nfor p in sys.argv[2:]:\n    db.executescript(open(p).read())\ndb.commit()\n",
                Path.Combine(RunDirectory, "presence.sqlite"), "/usr/share/kamailio/db_sqlite/standard-create.sql", "/usr/share/kamailio/db_sqlite/presence-create.sql"],
            TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"creating Kamailio's presence tables failed: {stderr}");
    }

    /// <summary>One OPTIONS over UDP; true on a 200.</summary>
    private async Task<bool> AnswersOptionsAsync()
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var local = (IPEndPoint)udp.Client.LocalEndPoint!;
        var callId = Guid.NewGuid().ToString("N");
        var request =
            $"OPTIONS sip:{Address}:{Port(SipPort)} SIP/2.0\r\nVia: SIP/2.0/UDP {Address}:{Port(local.Port)};branch=z9hG4bK{callId}\r\n" +
            $"From: <sip:probe@{Address}>;tag={callId[..8]}\r\nTo: <sip:{Address}:{Port(SipPort)}>\r\nCall-ID: {callId}\r\nCSeq: 1 OPTIONS\r\n" +
            "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
        await udp.SendAsync(Encoding.ASCII.GetBytes(request), new IPEndPoint(IPAddress.Loopback, SipPort));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        try
        {
            var answer = await udp.ReceiveAsync(cts.Token);
            return Encoding.ASCII.GetString(answer.Buffer).StartsWith("SIP/2.0 200", StringComparison.Ordinal);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static class NativeMethods
    {
        public const int SIGTERM = 15;

        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        public static extern int Kill(int pid, int signal);
    }
}
