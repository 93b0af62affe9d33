using System.Diagnostics;

namespace Parley.Interop.Tests.Federation;

/// <summary>
/// Waiting on the line-oriented logs the federation tests read (sipp scenario logs, the XMPP agent, Kamailio's xlog
/// lines): "the next line with these fragments after the ones already seen", bounded, failing with the context.
/// </summary>
public static class LineWaiter
{
    /// <summary>Lines of <paramref name="text"/> containing every fragment.</summary>
    public static IReadOnlyList<string> Matching(string text, params string[] fragments) =>
        text.Split('\n').Where(l => fragments.All(f => l.Contains(f, StringComparison.Ordinal))).ToArray();

    /// <summary>Waits until more than <paramref name="seen"/> lines of <paramref name="read"/>() contain every fragment; returns the newest.</summary>
    public static async Task<string> WaitForNextAsync(Func<string> read, int seen, TimeSpan timeout, string what, Func<string> context, params string[] fragments)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var lines = Matching(read(), fragments);
            if (lines.Count > seen)
            {
                return lines[^1];
            }

            if (stopwatch.Elapsed > timeout)
            {
                Assert.Fail($"{what}: no new line with {string.Join(" + ", fragments.Select(f => $"'{f}'"))} within {timeout.TotalSeconds:0} s " +
                    $"({seen} seen before).\n{context()}");
            }

            await Task.Delay(50);
        }
    }
}
