using Parley.Server.Configuration;

namespace Parley.Server.Hosting;

/// <summary>Checks, before anything is opened, that the data directory can be created and written.</summary>
public static class DataDirectory
{
    public static void EnsureWritable(string path, string source)
    {
        try
        {
            System.IO.Directory.CreateDirectory(path);
            var probe = Path.Combine(path, $".write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, "ok");
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(source, "dataDirectory (--data)", $"the data directory {path} cannot be created or written: {ex.Message}", "choose a directory this user can write with --data, or fix its owner and permissions.");
        }
    }
}
