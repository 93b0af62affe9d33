using System.Globalization;

namespace Parley.Server.Diagnostics;

/// <summary>Formats catalogue message templates; a wrong argument count never throws (events must not fail).</summary>
public static class EventTemplate
{
    /// <summary>How many arguments the template expects: the highest placeholder index plus one.</summary>
    public static int ArgumentCount(string template)
    {
        var count = 0;
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] != '{')
            {
                continue;
            }

            if (i + 1 < template.Length && template[i + 1] == '{')
            {
                i++;
                continue;
            }

            var end = i + 1;
            while (end < template.Length && char.IsAsciiDigit(template[end]))
            {
                end++;
            }

            if (end > i + 1)
            {
                count = Math.Max(count, int.Parse(template.AsSpan(i + 1, end - i - 1), CultureInfo.InvariantCulture) + 1);
            }
        }

        return count;
    }

    public static string Format(string template, object?[] args)
    {
        var expected = ArgumentCount(template);
        if (args.Length < expected)
        {
            // A caller passed too few: show what is missing rather than lose the event.
            args = [.. args, .. Enumerable.Repeat<object?>("(not given)", expected - args.Length)];
        }

        try
        {
            return string.Format(CultureInfo.InvariantCulture, template, args);
        }
        catch (FormatException)
        {
            return template + " [" + string.Join(", ", args) + "]";
        }
    }
}
