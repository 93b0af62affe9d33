using System.Diagnostics;
using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Federation;

/// <summary>Waiting on a running sipp's scenario log with the failure context read when the wait fails, not when it starts.</summary>
public static class SippWaits
{
    public static async Task WaitForLogAsync(this SippProcess sipp, string text, TimeSpan timeout, Func<string> context)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!sipp.Log.Contains(text, StringComparison.Ordinal))
        {
            Assert.False(sipp.HasExited && !sipp.Log.Contains(text, StringComparison.Ordinal), $"sipp exited before logging '{text}'.\n{sipp.Describe()}\n{context()}");
            Assert.True(stopwatch.Elapsed < timeout, $"sipp did not log '{text}' within {timeout.TotalSeconds:0} s.\n{sipp.Describe()}\n{context()}");
            await Task.Delay(50);
        }
    }
}
