using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Parley.Interop.Tests.Harness;

/// <summary>
/// baresip (Debian package baresip), a real SIP user agent, run headless: no audio, commands over
/// its ctrl_tcp module (netstring JSON), SIP trace (-s) on stdout so the test can see what it
/// received. Its configuration is written from Sip/Baresip/config.template into a temporary directory.
/// </summary>
public sealed class BaresipProcess : IAsyncDisposable
{
    public const string Program = "/usr/bin/baresip";
    public const string Package = "baresip";

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly string _directory;
    private readonly int _controlPort;
    private int _token;

    private BaresipProcess(Process process, string directory, int controlPort)
    {
        _process = process;
        _directory = directory;
        _controlPort = controlPort;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

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
        Assert.True(File.Exists(Program), $"{Program} not found: install Debian package {Package} (sudo apt-get install -y {Package}, or run .ci/run)");
        Assert.True(
            File.Exists("/usr/lib/baresip/modules/ctrl_tcp.so") && File.Exists("/usr/lib/baresip/modules/presence.so"),
            $"baresip modules ctrl_tcp/presence missing in /usr/lib/baresip/modules: reinstall Debian package {Package}");
    }

    /// <summary>
    /// Starts baresip with one account (aor, password) registering through 127.0.0.1:serverPort over
    /// <paramref name="transport"/> ("udp", "tcp" or "tls"), subscribing to the presence of <paramref name="contacts"/>.
    /// </summary>
    public static BaresipProcess Start(string aor, string password, int serverPort, string transport, string caFile, IEnumerable<string> contacts)
    {
        Require();
        var directory = Directory.CreateTempSubdirectory("parley-baresip-").FullName;
        var sipPort = PortWithFreeSuccessor();
        var controlPort = FreePorts.Tcp();
        var template = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Sip", "Baresip", "config.template"));
        File.WriteAllText(Path.Combine(directory, "config"), template
            .Replace("@SIP_PORT@", sipPort.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@CTRL_PORT@", controlPort.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@CA_FILE@", caFile, StringComparison.Ordinal));
        var port = serverPort.ToString(CultureInfo.InvariantCulture);
        File.WriteAllText(
            Path.Combine(directory, "accounts"),
            $"<{aor};transport={transport}>;auth_pass={password};outbound=\"sip:127.0.0.1:{port};transport={transport}\";regint=600\n");
        File.WriteAllText(Path.Combine(directory, "contacts"), string.Concat(contacts.Select(c => $"<{c}>;presence=p2p\n")));
        var psi = new ProcessStartInfo(Program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var a in new[] { "-f", directory, "-s" })
        {
            psi.ArgumentList.Add(a);
        }

        return new BaresipProcess(new Process { StartInfo = psi }, directory, controlPort);
    }

    /// <summary>Waits (bounded) until baresip printed <paramref name="text"/>; fails if it exits first.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout, string? context = null)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            Assert.False(_process.HasExited, $"baresip exited (code {SafeExitCode()}) before printing '{text}'.\n{Describe()}\n{context}");
            Assert.True(stopwatch.Elapsed < timeout, $"baresip did not print '{text}' within {timeout.TotalSeconds:0} s.\n{Describe()}\n{context}");
            await Task.Delay(50);
        }
    }

    /// <summary>Runs a baresip command (as typed after '/') over ctrl_tcp and returns its output.</summary>
    public async Task<string> CommandAsync(string command, string parameters = "")
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", _controlPort, cts.Token);
        var stream = client.GetStream();
        var token = Interlocked.Increment(ref _token).ToString(CultureInfo.InvariantCulture);
        var json = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["command"] = command, ["params"] = parameters, ["token"] = token });
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{json.Length}:"), cts.Token);
        await stream.WriteAsync(json, cts.Token);
        await stream.WriteAsync(","u8.ToArray(), cts.Token);

        // Netstrings: events may come first; read until the response with our token.
        var buffer = new List<byte>();
        var chunk = new byte[8192];
        while (true)
        {
            var colon = buffer.IndexOf((byte)':');
            if (colon > 0 && int.TryParse(Encoding.ASCII.GetString(buffer.GetRange(0, colon).ToArray()), NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                && buffer.Count >= colon + 1 + length + 1)
            {
                var payload = buffer.GetRange(colon + 1, length).ToArray();
                buffer.RemoveRange(0, colon + 1 + length + 1);
                using var document = JsonDocument.Parse(payload);
                var root = document.RootElement;
                if (root.TryGetProperty("response", out _) && root.TryGetProperty("token", out var t) && t.GetString() == token)
                {
                    return root.TryGetProperty("data", out var data) ? data.GetString() ?? "" : "";
                }

                continue;
            }

            var n = await stream.ReadAsync(chunk, cts.Token);
            Assert.True(n > 0, $"baresip closed its control connection during '{command}'.\n{Describe()}");
            buffer.AddRange(chunk.AsSpan(0, n).ToArray());
        }
    }

    /// <summary>Polls the contact list until <paramref name="contact"/> shows <paramref name="status"/> (Online, Busy, Offline…).</summary>
    public async Task WaitForContactStatusAsync(string contact, string status, TimeSpan timeout, string? context = null)
    {
        var stopwatch = Stopwatch.StartNew();
        var last = "";
        while (stopwatch.Elapsed < timeout)
        {
            last = await CommandAsync("contacts");
            if (last.Split('\n').Any(line => line.Contains(contact, StringComparison.Ordinal) && line.Contains(status, StringComparison.Ordinal)))
            {
                return;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"baresip did not show {contact} as {status} within {timeout.TotalSeconds:0} s; its contacts:\n{last}\n{Describe()}\n{context}");
    }

    public string Describe() => "--- baresip output (tail) ---\n" + SippProcess.Tail(Output, 120);

    public async ValueTask DisposeAsync()
    {
        await ProcessKill.KillAndWaitAsync(_process);
        _process.Dispose();
        RunDirectories.DeleteUnlessKept(_directory);
    }

    /// <summary>baresip listens for TLS on its SIP port + 1: both must be free.</summary>
    private static int PortWithFreeSuccessor()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var port = FreePorts.UdpAndTcp();
            try
            {
                using var next = new TcpListener(System.Net.IPAddress.Loopback, port + 1);
                next.Start();
                next.Stop();
                return port;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException("no pair of free consecutive ports on 127.0.0.1");
    }

    private string SafeExitCode()
    {
        try
        {
            return _process.ExitCode.ToString(CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            return "?";
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
}
