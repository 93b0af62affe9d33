using System.Diagnostics;

namespace Parley.Interop.Tests.Harness;

/// <summary>SIGKILL to a process tree and wait until it is reaped: the crash case, asserting nothing about the exit.</summary>
public static class ProcessKill
{
    public static async Task KillAndWaitAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(cts.Token);
        }
        catch (InvalidOperationException)
        {
            // never started or already reaped
        }
    }
}
