using System.Runtime.CompilerServices;

namespace Parley.Sip.Tests.Support;

/// <summary>Reads the RFC 4475 messages from the source tree (no copy to the output folder needed).</summary>
internal static class TortureCorpus
{
    public static string Directory { get; } = Locate();

    public static byte[] Read(string name) => File.ReadAllBytes(Path.Combine(Directory, name + ".dat"));

    public static IEnumerable<string> Names() =>
        System.IO.Directory.EnumerateFiles(Directory, "*.dat").Select(Path.GetFileNameWithoutExtension).Order().Cast<string>();

    private static string Locate([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(source)!)!, "Torture", "rfc4475");
}
