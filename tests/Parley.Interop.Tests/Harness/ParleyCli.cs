namespace Parley.Interop.Tests.Harness;

/// <summary>Runs the real `parley` binary (dotnet parley.dll), as an administrator would.</summary>
public static class ParleyCli
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static async Task<CliResult> RunAsync(params string[] arguments)
    {
        var (code, stdout, stderr) = await ProcessRunner.RunAsync(
            RepoPaths.DotnetHost, [RepoPaths.ParleyDll, .. arguments], Timeout);
        return new CliResult(arguments, code, stdout, stderr);
    }
}
