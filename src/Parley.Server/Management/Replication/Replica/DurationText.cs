using System.Globalization;

namespace Parley.Server.Management.Replication.Replica;

/// <summary>"3 d 4 h", "2 h 5 min", "40 s": staleness as an administrator reads it.</summary>
public static class DurationText
{
    public static string Format(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            duration = TimeSpan.Zero;
        }

        var c = CultureInfo.InvariantCulture;
        return duration.TotalDays >= 1 ? string.Create(c, $"{(int)duration.TotalDays} d {duration.Hours} h")
            : duration.TotalHours >= 1 ? string.Create(c, $"{(int)duration.TotalHours} h {duration.Minutes} min")
            : duration.TotalMinutes >= 1 ? string.Create(c, $"{(int)duration.TotalMinutes} min {duration.Seconds} s")
            : string.Create(c, $"{(int)duration.TotalSeconds} s");
    }
}
