using System.Diagnostics;

namespace Parley.Server.Tests.Management.Replica;

/// <summary>
/// Makes a directory unwritable for this process until disposed. chmod 0555 denies an ordinary user but not root
/// (CAP_DAC_OVERRIDE), so as root the directory is made immutable with <c>chattr +i</c>, which denies root too.
/// Proves the denial took by trying a write itself: a test using it cannot pass by accident.
/// </summary>
internal sealed class ReadOnlyDirectory : IDisposable
{
    private readonly string _path;
    private readonly bool _immutable;

    public ReadOnlyDirectory(string path)
    {
        _path = path;
        if (IsRoot())
        {
            var (code, output) = Run("chattr", "+i", path);
            Assert.True(code == 0,
                $"Running as root, where chmod does not deny writes; `chattr +i {path}` failed ({code}: {output}). Install e2fsprogs, use a file system with the immutable attribute (ext4, xfs), or run the tests as a non-root user.");
            _immutable = true;
            Method = "chattr +i (running as root)";
        }
        else
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            Method = "chmod 0555";
        }

        var probe = Path.Combine(path, "probe-" + Guid.NewGuid().ToString("N"));
        var denied = Record.Exception(() => File.WriteAllText(probe, "x"));
        Assert.True(denied is UnauthorizedAccessException or IOException, $"{Method} did not make {path} unwritable: a test file was written.");
    }

    public string Method { get; }

    public void Dispose()
    {
        if (_immutable)
        {
            Run("chattr", "-i", _path);
        }
        else
        {
            File.SetUnixFileMode(_path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static bool IsRoot() => Run("id", "-u").Output.Trim() == "0";

    private static (int Code, string Output) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"{program} not found: {e.Message}");
        }
    }
}
