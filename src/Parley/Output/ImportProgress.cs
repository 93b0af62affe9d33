using System.Globalization;

namespace Parley.Cli.Output;

/// <summary>
/// "imported 3,500/10,000 users…" on standard error. On a terminal the line is rewritten in place at most four times
/// a second; when standard error is redirected (a log, a pipe) only the final count is written.
/// </summary>
internal sealed class ImportProgress(TextWriter error, bool terminal, int total, TimeProvider time) : IProgress<int>
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private long _lastWrite = long.MinValue;
    private int _done;
    private bool _lineOpen;

    public void Report(int value)
    {
        _done = value;
        if (!terminal)
        {
            return;
        }

        var now = time.GetTimestamp();
        if (_lastWrite != long.MinValue && time.GetElapsedTime(_lastWrite, now) < Interval)
        {
            return;
        }

        _lastWrite = now;
        error.Write($"\r{Text(value)}…");
        error.Flush();
        _lineOpen = true;
    }

    /// <summary>The last line: the final count (also when stopped early), ending the rewritten line on a terminal.</summary>
    public void Complete()
    {
        if (terminal && _lineOpen)
        {
            error.Write('\r');
        }

        error.WriteLine(Text(_done) + ".");
        error.Flush();
    }

    private string Text(int done) => string.Create(CultureInfo.InvariantCulture, $"imported {done:N0}/{total:N0} users");
}
