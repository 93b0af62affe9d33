using System.Globalization;

namespace Parley.Cli.Output;

internal static class Formats
{
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Limit(int? limit) => limit?.ToString(CultureInfo.InvariantCulture) ?? "unlimited";
}
