namespace Parley.Interop.Tests.Harness;

/// <summary>
/// Real programs the interop tests need. A missing one fails the test and names the Debian
/// package to install — it is never a silent skip.
/// </summary>
public static class RequiredTool
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<Task<string?>> SlixmppProblem = new(() => CheckAsync(
        Python, ["-c", "import slixmpp"], "python3-slixmpp"));

    /// <summary>Fails the test unless /usr/bin/python3 can import slixmpp.</summary>
    public static async Task RequireSlixmppAsync()
    {
        var problem = await SlixmppProblem.Value;
        if (problem is not null)
        {
            Assert.Fail(problem);
        }
    }

    private static async Task<string?> CheckAsync(string program, string[] arguments, string package)
    {
        if (!File.Exists(program))
        {
            return $"{program} not found: install Debian package {package} (sudo apt-get install -y {package}, or run .ci/run)";
        }

        try
        {
            var (code, _, stderr) = await ProcessRunner.RunAsync(program, arguments, TimeSpan.FromSeconds(30));
            return code == 0
                ? null
                : $"{program} {string.Join(' ', arguments)} failed ({stderr.Trim()}): install Debian package {package} (sudo apt-get install -y {package}, or run .ci/run)";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"cannot run {program} ({e.Message}): install Debian package {package}";
        }
    }
}
