namespace Parley.Interop.Tests.Harness;

/// <summary>Outcome of one `parley` command line.</summary>
public sealed record CliResult(string[] Arguments, int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() =>
        $"parley {string.Join(' ', Arguments)} → exit {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";

    /// <summary>Fails the test with the full output unless the command exited 0.</summary>
    public CliResult ShouldSucceed()
    {
        Assert.True(ExitCode == 0, $"expected success:\n{this}");
        return this;
    }

    /// <summary>Fails unless the command exited non-zero with a message on stderr.</summary>
    public CliResult ShouldFailClearly()
    {
        Assert.True(ExitCode != 0, $"expected a non-zero exit code:\n{this}");
        Assert.False(string.IsNullOrWhiteSpace(StandardError), $"expected an explanation on stderr:\n{this}");
        Assert.DoesNotContain("   at ", StandardError, StringComparison.Ordinal); // no stack trace
        return this;
    }
}
