using System.Globalization;

namespace Parley.Cli.Commands;

/// <summary>Parses the federation commands' choice and port values; failures are <see cref="UsageException"/>.</summary>
internal static class FederationArguments
{
    /// <summary>One of an enum's names, in any case (never its number): basic, advanced; domain, user; lync, generic.</summary>
    public static TEnum Choice<TEnum>(string option, string text)
        where TEnum : struct, Enum
    {
        var trimmed = text.Trim();
        return !int.TryParse(trimmed, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) && Enum.TryParse<TEnum>(trimmed, ignoreCase: true, out var value)
            ? value
            : throw new UsageException($"{option}: '{text}' is not one of {Names<TEnum>()}. Fix: give one of {Names<TEnum>()}.");
    }

    private static string Names<TEnum>()
        where TEnum : struct, Enum
        => string.Join(", ", Enum.GetValues<TEnum>().Select(FederationCommands.Name));
}
