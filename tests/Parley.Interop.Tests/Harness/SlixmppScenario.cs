namespace Parley.Interop.Tests.Harness;

/// <summary>Runs one slixmpp scenario script (scripts/*.py) against a server and fails with its output.</summary>
public static class SlixmppScenario
{
    public static async Task RunAsync(
        ParleyProcess server, string script, IEnumerable<(string Jid, string Password)> users, ITestOutputHelper output,
        IEnumerable<string>? extraArguments = null, TimeSpan? timeout = null)
    {
        await RequiredTool.RequireSlixmppAsync();
        var limit = timeout ?? TimeSpan.FromSeconds(120);
        List<string> arguments =
        [
            Path.Combine(RepoPaths.ScriptsDirectory, script),
            "--host", ParleyProcess.Host,
            "--port", server.XmppPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--ca", server.CaPath,
            "--timeout", limit.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ];
        foreach (var (jid, password) in users)
        {
            arguments.AddRange(["--user", jid, password]);
        }

        arguments.AddRange(extraArguments ?? []);
        var environment = new Dictionary<string, string> { ["PYTHONDONTWRITEBYTECODE"] = "1", ["PYTHONUNBUFFERED"] = "1" };
        var (code, stdout, stderr) = await ProcessRunner.RunAsync(
            RequiredTool.Python, arguments, limit + TimeSpan.FromSeconds(30), environment, RepoPaths.ScriptsDirectory);
        output.WriteLine(stdout);
        output.WriteLine(stderr);
        Assert.True(
            code == 0,
            $"{script} failed (exit {code}):\n{stderr}\n--- script output ---\n{stdout}\n--- server output (tail) ---\n{Tail(server.Output, 60)}");
    }

    private static string Tail(string text, int lines)
    {
        var all = text.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }
}
