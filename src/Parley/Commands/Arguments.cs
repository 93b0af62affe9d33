using System.Globalization;
using System.Text.RegularExpressions;
using Parley.Xmpp.Addressing;

namespace Parley.Cli.Commands;

/// <summary>Parses argument values the command-line parser cannot type-check; failures are <see cref="UsageException"/>.</summary>
internal static partial class Arguments
{
    public static Jid UserJid(string text)
    {
        Jid jid;
        try
        {
            jid = Jid.Parse(text);
        }
        catch (FormatException e)
        {
            throw new UsageException($"'{text}' is not a valid JID: {e.Message.TrimEnd('.')}. Fix: give a user address such as alice@example.com.");
        }

        if (jid.Local is null)
        {
            throw new UsageException($"'{text}' has no local part (the part before @). Fix: give a user address such as alice@{jid.Domain}.");
        }

        if (jid.Resource is not null)
        {
            throw new UsageException($"'{text}' has a resource (/{jid.Resource}); users are bare JIDs. Fix: leave out the '/' and what follows.");
        }

        return jid;
    }

    /// <summary>A positive number or "unlimited" (null).</summary>
    public static int? Limit(string option, string text)
    {
        if (string.Equals(text, "unlimited", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new UsageException($"{option}: '{text}' is not a limit. Fix: give a positive number, or unlimited.");
    }

    /// <summary>A whole number of milliseconds from 0 to <paramref name="maximum"/>.</summary>
    public static int Milliseconds(string option, string text, int maximum)
        => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= maximum
            ? value
            : throw new UsageException($"{option}: '{text}' is not a number of milliseconds from 0 to {maximum}. Fix: give a whole number in that range, e.g. 50, or 0 for none.");

    public static bool OnOff(string option, string text) => text.ToLowerInvariant() switch
    {
        "on" or "true" or "yes" => true,
        "off" or "false" or "no" => false,
        _ => throw new UsageException($"{option}: '{text}' is not on or off. Fix: give on or off."),
    };

    /// <summary>ISO-8601 (UTC unless an offset is given) or a duration back from now: 30s, 10m, 2h, 1d.</summary>
    public static DateTimeOffset Since(string text, DateTimeOffset now)
    {
        var match = RelativeTime().Match(text);
        if (match.Success)
        {
            var amount = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            var span = match.Groups[2].Value switch
            {
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromDays(amount),
            };
            return now - span;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw new UsageException($"--since: '{text}' is not a time. Fix: give an ISO-8601 time (2025-01-31T08:00:00Z) or a duration back from now (30s, 10m, 2h, 1d).");
    }

    [GeneratedRegex(@"^(\d{1,6})([smhd])$")]
    private static partial Regex RelativeTime();
}
