namespace Parley.Interop.Tests.Harness;

/// <summary>The temporary directories of a test run (configs, logs, traces, data): kept for a look when PARLEY_TEST_KEEP_DATA is set.</summary>
public static class RunDirectories
{
    public static bool Keep => Environment.GetEnvironmentVariable("PARLEY_TEST_KEEP_DATA") is not null;

    /// <summary>Deletes <paramref name="path"/> and everything in it unless kept; a file still held open only leaves it behind.</summary>
    public static void DeleteUnlessKept(string path)
    {
        if (Keep)
        {
            return;
        }

        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
