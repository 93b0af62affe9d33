using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Federation;

/// <summary>
/// The federation tests' files, read from the source tree (not copied next to the assembly): the Kamailio
/// configuration, the sipp scenarios and the slixmpp driver.
/// </summary>
public static class FederationPaths
{
    public static string Directory => Path.Combine(RepoPaths.RepoRoot, "tests", "Parley.Interop.Tests", "Federation");

    public static string Scripts => Path.Combine(RepoPaths.RepoRoot, "tests", "Parley.Interop.Tests", "scripts", "federation");

    /// <summary>Absolute path of a scenario in Federation/Scenarios (SippProcess takes it as is).</summary>
    public static string Scenario(string name) => Path.Combine(Directory, "Scenarios", name);
}
