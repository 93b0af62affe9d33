using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Federation;

/// <summary>
/// An XMPP user of Parley (slixmpp, scripts/federation/xmpp_agent.py) that a test drives command by command over
/// stdin and whose received presence and messages it reads as "XMPP …" lines.
/// </summary>
public sealed class XmppAgent : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private XmppAgent(Process process, string jid)
    {
        _process = process;
        Jid = jid;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Jid { get; }

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

    /// <summary>Logs <paramref name="jid"/> in at 127.0.0.x:<paramref name="xmppPort"/> and waits for "XMPP READY".</summary>
    public static async Task<XmppAgent> StartAsync(string host, int xmppPort, string caPath, string jid, string password, Func<string> context)
    {
        await RequiredTool.RequireSlixmppAsync();
        var psi = new ProcessStartInfo(RequiredTool.Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = FederationPaths.Scripts,
        };
        psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        psi.Environment["PYTHONUNBUFFERED"] = "1";
        foreach (var argument in new[]
        {
            Path.Combine(FederationPaths.Scripts, "xmpp_agent.py"), "--host", host, "--port", xmppPort.ToString(CultureInfo.InvariantCulture),
            "--ca", caPath, "--timeout", "600", "--wait", "20", "--user", jid, password,
        })
        {
            psi.ArgumentList.Add(argument);
        }

        var agent = new XmppAgent(new Process { StartInfo = psi }, jid);
        try
        {
            await agent.WaitForLineAsync(TimeSpan.FromSeconds(60), context, "XMPP READY");
            return agent;
        }
        catch
        {
            await agent.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends one command (see xmpp_agent.py) and waits until the agent acted on it.</summary>
    public async Task DoAsync(Func<string> context, string op, string? to = null, string? body = null, string? show = null, string? status = null, string? state = null)
    {
        var command = new Dictionary<string, string?> { ["op"] = op, ["to"] = to, ["body"] = body, ["show"] = show, ["status"] = status, ["state"] = state };
        var done = Lines($"XMPP DONE {op}").Count;
        await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(command));
        await _process.StandardInput.FlushAsync();
        var stopwatch = Stopwatch.StartNew();
        while (Lines($"XMPP DONE {op}").Count <= done)
        {
            Assert.False(_process.HasExited, $"the XMPP agent {Jid} exited during '{op}'.\n{Describe()}\n{context()}");
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"the XMPP agent {Jid} did not do '{op}' within 20 s.\n{Describe()}\n{context()}");
            await Task.Delay(20);
        }
    }

    /// <summary>Lines that contain every fragment, in order of arrival.</summary>
    public IReadOnlyList<string> Lines(params string[] fragments) =>
        Output.Split('\n').Where(l => fragments.All(f => l.Contains(f, StringComparison.Ordinal))).ToArray();

    /// <summary>Waits (bounded) for a line with every fragment; returns it.</summary>
    public async Task<string> WaitForLineAsync(TimeSpan timeout, Func<string> context, params string[] fragments)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            if (Lines(fragments).FirstOrDefault() is { } line)
            {
                return line;
            }

            Assert.False(_process.HasExited, $"the XMPP agent {Jid} exited before printing {string.Join(" + ", fragments)}.\n{Describe()}\n{context()}");
            Assert.True(stopwatch.Elapsed < timeout, $"the XMPP agent {Jid} did not print {string.Join(" + ", fragments)} within {timeout.TotalSeconds:0} s.\n{Describe()}\n{context()}");
            await Task.Delay(50);
        }
    }

    public string Describe() => $"--- XMPP agent {Jid} (tail) ---\n" + SippProcess.Tail(Output, 60);

    public async ValueTask DisposeAsync()
    {
        await ProcessKill.KillAndWaitAsync(_process);
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
