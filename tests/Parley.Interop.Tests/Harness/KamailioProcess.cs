using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Parley.Interop.Tests.Harness;

/// <summary>
/// A private Kamailio (Debian packages kamailio, kamailio-presence-modules, kamailio-sqlite-modules,
/// kamailio-tls-modules) on 127.0.0.1, started with bench/kamailio/start-kamailio.sh — the same
/// configuration the benchmark uses. It is the reference the SIP scenarios are checked against:
/// a scenario that fails here is wrong, not Parley. Every user's password is <see cref="Password"/>.
/// </summary>
public sealed class KamailioProcess : IAsyncDisposable
{
    public const string Password = "interop-password";

    private static readonly (string Path, string Package)[] Needed =
    [
        ("/usr/sbin/kamailio", "kamailio"),
        ("/usr/lib/x86_64-linux-gnu/kamailio/modules/presence.so", "kamailio-presence-modules"),
        ("/usr/lib/x86_64-linux-gnu/kamailio/modules/db_sqlite.so", "kamailio-sqlite-modules"),
        ("/usr/lib/x86_64-linux-gnu/kamailio/modules/tls.so", "kamailio-tls-modules"),
        ("/usr/bin/sipsak", "sipsak"),
    ];

    private KamailioProcess(string runDirectory, int pid, int sipPort, int sipsPort)
    {
        RunDirectory = runDirectory;
        Pid = pid;
        SipPort = sipPort;
        SipsPort = sipsPort;
    }

    public string RunDirectory { get; }

    public int Pid { get; }

    public int SipPort { get; }

    public int SipsPort { get; }

    public string CaPath => Path.Combine(RunDirectory, "certs", "ca.pem");

    public string Output => File.Exists(Path.Combine(RunDirectory, "kamailio.log")) ? File.ReadAllText(Path.Combine(RunDirectory, "kamailio.log")) : "";

    public static void Require()
    {
        foreach (var (path, package) in Needed)
        {
            Assert.True(File.Exists(path), $"{path} not found: install Debian package {package} (sudo apt-get install -y {package}, or run .ci/run)");
        }
    }

    public static async Task<KamailioProcess> StartAsync()
    {
        Require();
        var runDirectory = Directory.CreateTempSubdirectory("parley-kamailio-").FullName;
        var sipPort = FreePorts.UdpAndTcp();
        var sipsPort = FreePorts.Tcp();
        var script = Path.Combine(RepoPaths.RepoRoot, "bench", "kamailio", "start-kamailio.sh");
        var (code, stdout, stderr) = await ProcessRunner.RunAsync(
            "/bin/bash",
            [script, runDirectory, sipPort.ToString(CultureInfo.InvariantCulture), sipsPort.ToString(CultureInfo.InvariantCulture)],
            TimeSpan.FromSeconds(30),
            new Dictionary<string, string> { ["KAMAILIO_PASSWORD"] = Password, ["KAMAILIO_SHM_MB"] = "128", ["KAMAILIO_PKG_MB"] = "16" });
        Assert.True(code == 0, $"start-kamailio.sh failed (exit {code}):\n{stderr}\n{stdout}");
        var pid = int.Parse(stdout.Trim().Split('\n')[^1], CultureInfo.InvariantCulture);
        return new KamailioProcess(runDirectory, pid, sipPort, sipsPort);
    }

    public async ValueTask DisposeAsync()
    {
        _ = NativeMethods.Kill(Pid, NativeMethods.SIGTERM);
        var stopwatch = Stopwatch.StartNew();
        while (Directory.Exists($"/proc/{Pid}") && stopwatch.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
        }

        if (Directory.Exists($"/proc/{Pid}"))
        {
            _ = NativeMethods.Kill(Pid, NativeMethods.SIGKILL);
        }

        RunDirectories.DeleteUnlessKept(RunDirectory);
    }

    private static class NativeMethods
    {
        public const int SIGTERM = 15;
        public const int SIGKILL = 9;

        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        public static extern int Kill(int pid, int signal);
    }
}
