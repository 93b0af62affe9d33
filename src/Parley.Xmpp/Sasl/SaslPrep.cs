using System.Text;

namespace Parley.Xmpp.Sasl;

/// <summary>
/// SASLprep (RFC 4013) as far as implemented: non-ASCII spaces map to U+0020, "commonly mapped to nothing"
/// characters are removed, NFKC is applied, and control characters are prohibited. Bidi and unassigned code
/// point checks are not implemented. NFKC comes from ICU (Parley runs with globalization on).
/// </summary>
internal static class SaslPrep
{
    /// <summary>The prepared string, or null when it contains a prohibited character.</summary>
    public static string? Prepare(string text)
    {
        if (Ascii.IsValid(text))
        {
            foreach (var c in text)
            {
                if (char.IsControl(c))
                {
                    return null;
                }
            }

            return text;
        }

        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (IsMappedToNothing(c))
            {
                continue;
            }

            if (char.IsControl(c) || c is '\uFFFE' or '\uFFFF')
            {
                return null;
            }

            builder.Append(c != ' ' && char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.SpaceSeparator ? ' ' : c);
        }

        var mapped = builder.ToString();
        try
        {
            return mapped.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            // Unpaired surrogates cannot be normalised and are not text.
            return null;
        }
    }

    /// <summary>RFC 3454 table B.1.</summary>
    private static bool IsMappedToNothing(char c) => c is '\u00AD' or '\u034F' or '\u1806' or (>= '\u180B' and <= '\u180D')
        or (>= '\u200B' and <= '\u200D') or '\u2060' or (>= '\uFE00' and <= '\uFE0F') or '\uFEFF';
}
