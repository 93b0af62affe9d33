namespace Parley.Interop.Tests.Harness;

/// <summary>Where the repository, the built parley binary and the scenario scripts are.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string RepoRoot => Root.Value;

    /// <summary>Directory of the slixmpp scenario scripts copied next to the test assembly.</summary>
    public static string ScriptsDirectory => Path.Combine(AppContext.BaseDirectory, "scripts");

    /// <summary>
    /// The parley.dll to run: $PARLEY_DLL if set, else src/Parley's build output for the same
    /// configuration as this test assembly, else the copy next to the test assembly.
    /// </summary>
    public static string ParleyDll
    {
        get
        {
            var fromEnvironment = Environment.GetEnvironmentVariable("PARLEY_DLL");
            if (!string.IsNullOrEmpty(fromEnvironment))
            {
                return fromEnvironment;
            }

            var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
            var built = Path.Combine(RepoRoot, "src", "Parley", "bin", configuration, "net10.0", "parley.dll");
            if (File.Exists(built))
            {
                return built;
            }

            var copied = Path.Combine(AppContext.BaseDirectory, "parley.dll");
            if (File.Exists(copied))
            {
                return copied;
            }

            throw new InvalidOperationException($"parley.dll not found at {built} nor {copied}: build src/Parley first (dotnet build -c {configuration}).");
        }
    }

    /// <summary>The dotnet host running the tests (dotnet test sets DOTNET_HOST_PATH), else dotnet on PATH.</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Parley.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Parley.slnx not found above {AppContext.BaseDirectory}.");
    }
}
