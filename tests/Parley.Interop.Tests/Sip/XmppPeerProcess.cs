using System.Diagnostics;
using System.Globalization;
using System.Text;
using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Sip;

/// <summary>
/// A slixmpp script (Sip/Baresip/*.py, built on scripts/xmpptest.py) running in the background
/// while SIP user agents act, so a test can wait for its progress lines and then for its verdict.
/// </summary>
public sealed class XmppPeerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Task _exited;
    private readonly TimeSpan _timeout;

    private XmppPeerProcess(Process process, TimeSpan timeout)
    {
        _process = process;
        _timeout = timeout;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _exited = process.WaitForExitAsync();
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

    public static async Task<XmppPeerProcess> StartAsync(
        ParleyProcess server, string script, IEnumerable<(string Jid, string Password)> users, IEnumerable<string> extraArguments, TimeSpan timeout)
    {
        await RequiredTool.RequireSlixmppAsync();
        var directory = Path.Combine(AppContext.BaseDirectory, "Sip", "Baresip");
        var psi = new ProcessStartInfo(RequiredTool.Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        psi.Environment["PYTHONUNBUFFERED"] = "1";
        List<string> arguments =
        [
            Path.Combine(directory, script), "--host", ParleyProcess.Host,
            "--port", server.XmppPort.ToString(CultureInfo.InvariantCulture), "--ca", server.CaPath,
            "--timeout", timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        ];
        foreach (var (jid, password) in users)
        {
            arguments.AddRange(["--user", jid, password]);
        }

        arguments.AddRange(extraArguments);
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        return new XmppPeerProcess(new Process { StartInfo = psi }, timeout);
    }

    public async Task WaitForLineAsync(string text, TimeSpan timeout, string? context = null)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            Assert.False(_process.HasExited && !Output.Contains(text, StringComparison.Ordinal), $"the slixmpp peer exited before printing {text}:\n{Output}\n{context}");
            Assert.True(stopwatch.Elapsed < timeout, $"the slixmpp peer did not print {text} within {timeout.TotalSeconds:0} s:\n{Output}\n{context}");
            await Task.Delay(50);
        }
    }

    /// <summary>Waits for the script to end and asserts it passed.</summary>
    public async Task WaitForPassAsync(string? context = null)
    {
        var finished = await Task.WhenAny(_exited, Task.Delay(_timeout + TimeSpan.FromSeconds(30)));
        Assert.True(finished == _exited, $"the slixmpp peer did not end:\n{Output}\n{context}");
        _process.WaitForExit();
        Assert.True(_process.ExitCode == 0, $"the slixmpp peer failed (exit {_process.ExitCode}):\n{Output}\n{context}");
    }

    public async ValueTask DisposeAsync()
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

        await Task.WhenAny(_exited, Task.Delay(TimeSpan.FromSeconds(5)));
        _process.Dispose();
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
