using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Parley.Interop.Tests.Harness;

/// <summary>The SIP transports sipp speaks in Debian's build (no TLS: it is built without OpenSSL).</summary>
public enum SippTransport
{
    Udp,
    Tcp,
}

/// <summary>
/// One run of sipp (Debian package sip-tester) with a scenario from Sip/Scenarios. Its log actions
/// go to a file the test can wait on; on failure the assertion carries sipp's error log, its
/// scenario log and its screen. Every run is bounded by sipp's own -timeout and by a kill.
/// </summary>
public sealed class SippProcess : IAsyncDisposable
{
    public const string Program = "/usr/bin/sipp";
    public const string Package = "sip-tester";

    private readonly Process _process;
    private readonly string _directory;
    private readonly string _label;
    private readonly TimeSpan _timeout;
    private readonly StringBuilder _screen = new();
    private readonly Task _exited;

    private SippProcess(Process process, string directory, string label, TimeSpan timeout, string commandLine)
    {
        _process = process;
        _directory = directory;
        _label = label;
        _timeout = timeout;
        CommandLine = commandLine;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _exited = process.WaitForExitAsync();
    }

    /// <summary>Directory of the scenario files copied next to the test assembly.</summary>
    public static string ScenariosDirectory => Path.Combine(AppContext.BaseDirectory, "Sip", "Scenarios");

    public string CommandLine { get; }

    /// <summary>What the scenario's log actions wrote so far.</summary>
    public string Log => ReadShared(Path.Combine(_directory, "scenario.log"));

    public string Errors => ReadShared(Path.Combine(_directory, "errors.log"));

    public bool HasExited => _process.HasExited;

    /// <summary>Fails the test unless sipp is installed, naming the Debian package.</summary>
    public static void Require()
    {
        Assert.True(File.Exists(Program), $"{Program} not found: install Debian package {Package} (sudo apt-get install -y {Package}, or run .ci/run)");
    }

    /// <summary>
    /// Starts sipp. <paramref name="remotePort"/> null means a UAS that only listens on <paramref name="localPort"/>.
    /// Keys become [key] keywords in the scenario.
    /// </summary>
    public static SippProcess Start(
        string scenario, SippTransport transport, int localPort, int? remotePort, IReadOnlyDictionary<string, string> keys,
        IEnumerable<string>? extraArguments = null, int calls = 1, TimeSpan? timeout = null, string? label = null)
    {
        Require();
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var directory = Directory.CreateTempSubdirectory("parley-sipp-").FullName;
        var psi = new ProcessStartInfo(Program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        List<string> arguments = [];
        if (remotePort is { } port)
        {
            arguments.Add($"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        }

        arguments.AddRange(
        [
            "-sf", Path.Combine(ScenariosDirectory, scenario),
            "-i", "127.0.0.1", "-p", localPort.ToString(CultureInfo.InvariantCulture),
            "-t", transport == SippTransport.Udp ? "u1" : "t1",
            "-m", calls.ToString(CultureInfo.InvariantCulture),
            "-nostdin", "-timeout", $"{(int)limit.TotalSeconds}s", "-timeout_error",
            "-trace_err", "-error_file", Path.Combine(directory, "errors.log"),
            "-trace_logs", "-log_file", Path.Combine(directory, "scenario.log"),
        ]);
        foreach (var (key, value) in keys)
        {
            arguments.AddRange(["-key", key, value]);
        }

        arguments.AddRange(extraArguments ?? []);
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        var commandLine = "sipp " + string.Join(' ', arguments.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a));
        return new SippProcess(new Process { StartInfo = psi }, directory, label ?? scenario, limit, commandLine);
    }

    /// <summary>Runs a scenario to the end and fails the test unless every call succeeded.</summary>
    public static async Task RunAsync(
        string scenario, SippTransport transport, int localPort, int? remotePort, IReadOnlyDictionary<string, string> keys,
        IEnumerable<string>? extraArguments = null, int calls = 1, TimeSpan? timeout = null, string? context = null)
    {
        await using var sipp = Start(scenario, transport, localPort, remotePort, keys, extraArguments, calls, timeout);
        await sipp.WaitForSuccessAsync(context);
    }

    /// <summary>Waits (bounded) until the scenario log contains <paramref name="text"/>; fails if sipp exits first.</summary>
    public async Task WaitForLogAsync(string text, TimeSpan timeout, string? context = null)
    {
        var deadline = Stopwatch.StartNew();
        while (!Log.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited && !Log.Contains(text, StringComparison.Ordinal))
            {
                Assert.Fail($"{_label} exited (code {_process.ExitCode}) before logging '{text}'.\n{Describe()}\n{context}");
            }

            if (deadline.Elapsed > timeout)
            {
                Assert.Fail($"{_label} did not log '{text}' within {timeout.TotalSeconds:0} s.\n{Describe()}\n{context}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Waits for sipp to end (bounded) and asserts exit code 0: every call of the scenario succeeded.</summary>
    public async Task WaitForSuccessAsync(string? context = null)
    {
        var finished = await Task.WhenAny(_exited, Task.Delay(_timeout + TimeSpan.FromSeconds(10)));
        if (finished != _exited)
        {
            Kill();
            Assert.Fail($"{_label} did not end within {_timeout.TotalSeconds + 10:0} s.\n{Describe()}\n{context}");
        }

        _process.WaitForExit();
        Assert.True(_process.ExitCode == 0, $"{_label} failed (sipp exit {_process.ExitCode}).\n{Describe()}\n{context}");
    }

    public string Describe()
    {
        string screen;
        lock (_screen)
        {
            screen = _screen.ToString();
        }

        return $"{Hints()}--- {CommandLine}\n--- scenario log ---\n{Log}\n--- errors ---\n{Tail(Errors, 80)}\n--- screen ---\n{Tail(screen, 40)}";
    }

    /// <summary>Known limits of sipp 3.6.1 that make a failure look like the server's fault, explained.</summary>
    private string Hints()
    {
        var errors = Errors;
        var hints = new StringBuilder();
        if (errors.Contains("authentication must use MD5", StringComparison.Ordinal))
        {
            hints.AppendLine("HINT: sipp answers only the first challenge header and only with MD5; the server's first challenge uses another algorithm (e.g. SHA-256 first, RFC 8760).");
        }

        if (errors.Contains("Credentials do not match the request", StringComparison.Ordinal))
        {
            hints.AppendLine("HINT: sipp computes every digest over one fixed URI (-auth_uri, set to the first request's Request-URI); a challenged in-dialog request (Request-URI = the server's Contact) cannot be answered by sipp.");
        }

        return hints.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await Task.WhenAny(_exited, Task.Delay(TimeSpan.FromSeconds(5)));
        _process.Dispose();
        RunDirectories.DeleteUnlessKept(_directory);
    }

    internal static string Tail(string text, int lines)
    {
        var all = text.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    private static string ReadShared(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (FileNotFoundException)
        {
            return "";
        }
        catch (DirectoryNotFoundException)
        {
            return "";
        }
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_screen)
        {
            _screen.AppendLine(line);
        }
    }
}
