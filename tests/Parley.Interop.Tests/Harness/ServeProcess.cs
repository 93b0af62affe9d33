using System.Diagnostics;

namespace Parley.Interop.Tests.Harness;

/// <summary>Starting a real `parley serve` (or any parley.dll command) for the harnesses that run nodes.</summary>
public static class ServeProcess
{
    /// <summary>
    /// Runs `dotnet parley.dll ARGS` with stdin closed and every line of stdout and stderr given to
    /// <paramref name="onLine"/>. The returned task completes at the first line <paramref name="isReady"/> accepts and
    /// fails when the process exits before it. Each start has its own task: a previous (killed) process cannot touch it.
    /// </summary>
    public static (Process Process, Task Ready) Start(
        IEnumerable<string> arguments, string workingDirectory, IEnumerable<KeyValuePair<string, string>> environment,
        Action<string> onLine, Func<string, bool> isReady)
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var psi = new ProcessStartInfo(RepoPaths.DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        psi.ArgumentList.Add(RepoPaths.ParleyDll);
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        // The test host runs with inline socket completions (tests/parley.runsettings); a server decides for itself
        // unless a test says otherwise.
        psi.Environment.Remove("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS");
        foreach (var (name, value) in environment)
        {
            psi.Environment[name] = value;
        }

        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            onLine(line);
            if (isReady(line))
            {
                ready.TrySetResult();
            }
        }

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("exited"));
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, ready.Task);
    }
}
