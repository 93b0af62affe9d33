using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Parley.Sip.Messages;

/// <summary>
/// The value of From, To, Contact, Route, Record-Route and similar headers: an optional display name,
/// a URI and header parameters (RFC 3261 §20.10, §25.1 name-addr / addr-spec).
/// </summary>
public sealed class NameAddress
{
    public NameAddress(SipUri uri, string? displayName = null)
    {
        ArgumentNullException.ThrowIfNull(uri);
        Uri = uri;
        DisplayName = displayName;
    }

    /// <summary>The display name with quotes and escapes removed.</summary>
    public string? DisplayName { get; set; }

    public SipUri Uri { get; set; }

    /// <summary>Header parameters (outside the angle brackets), e.g. tag, expires, q.</summary>
    public SipParameters Parameters { get; private init; } = new();

    public string? Tag
    {
        get => Parameters["tag"];
        set
        {
            if (value is null)
            {
                Parameters.Remove("tag");
            }
            else
            {
                Parameters.Set("tag", value);
            }
        }
    }

    public static NameAddress Parse(string text) =>
        TryParse(text, out var value) ? value : throw new Parsing.SipParseException(Parsing.SipRejectionReason.BadHeader, "malformed name-addr");

    public static bool TryParse(string? text, [NotNullWhen(true)] out NameAddress? value) => TryParse(text.AsSpan(), out value);

    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out NameAddress? value)
    {
        value = null;
        text = text.Trim(" \t\r\n");
        if (text.IsEmpty)
        {
            return false;
        }
        string? displayName = null;
        int laquot;
        if (text[0] == '"')
        {
            var end = SipGrammar.SkipQuoted(text, 0);
            if (end < 0)
            {
                return false;
            }
            displayName = SipGrammar.Unquote(text[..end]);
            laquot = end;
            while (laquot < text.Length && SipGrammar.IsWhitespace(text[laquot]))
            {
                laquot++;
            }
            if (laquot == text.Length || text[laquot] != '<')
            {
                return false;
            }
        }
        else
        {
            laquot = text.IndexOf('<');
            if (laquot > 0)
            {
                // Unquoted display name: *(token LWS).
                var tokens = text[..laquot].Trim(" \t\r\n");
                foreach (var c in tokens)
                {
                    if (!SipGrammar.TokenChars.Contains(c) && !SipGrammar.IsWhitespace(c))
                    {
                        return false;
                    }
                }
                displayName = tokens.IsEmpty ? null : CollapseWhitespace(tokens);
            }
        }

        ReadOnlySpan<char> uriText;
        ReadOnlySpan<char> rest;
        if (laquot >= 0)
        {
            var raquot = text[laquot..].IndexOf('>');
            if (raquot < 0)
            {
                return false;
            }
            uriText = text.Slice(laquot + 1, raquot - 1);
            rest = text[(laquot + raquot + 1)..];
        }
        else
        {
            // addr-spec: parameters after ';' belong to the header, and the URI may not carry
            // ',', '?' or ';' of its own (RFC 3261 §20.10), see RFC 4475 §3.1.2.13 (regbadct).
            var semicolon = text.IndexOf(';');
            uriText = semicolon < 0 ? text : text[..semicolon];
            rest = semicolon < 0 ? [] : text[semicolon..];
            if (uriText.ContainsAny("?,"))
            {
                return false;
            }
            uriText = uriText.TrimEnd(" \t\r\n");
        }
        if (uriText.ContainsAny(" \t\r\n") || !SipUri.TryParse(uriText, out var uri)
            || !SipParameters.TryParseHeaderParameters(rest, out var parameters))
        {
            return false;
        }
        value = new NameAddress(uri, displayName) { Parameters = parameters };
        return true;
    }

    public NameAddress Clone() => new(Uri.Clone(), DisplayName) { Parameters = Parameters.Clone() };

    /// <summary>Always the name-addr form (&lt;uri&gt;), with the display name quoted when present.</summary>
    public override string ToString()
    {
        // Every request Parley sends writes a From and a To: a stack buffer, not a StringBuilder.
        var builder = new DefaultInterpolatedStringHandler(0, 0, CultureInfo.InvariantCulture, stackalloc char[128]);
        if (!string.IsNullOrEmpty(DisplayName))
        {
            SipGrammar.AppendQuoted(ref builder, DisplayName);
            builder.AppendFormatted(' ');
        }
        builder.AppendFormatted('<');
        builder.AppendLiteral(Uri.ToString());
        builder.AppendFormatted('>');
        Parameters.AppendTo(ref builder);
        return builder.ToStringAndClear();
    }

    private static string CollapseWhitespace(ReadOnlySpan<char> tokens)
    {
        var builder = new StringBuilder(tokens.Length);
        var space = false;
        foreach (var c in tokens)
        {
            if (SipGrammar.IsWhitespace(c))
            {
                space = true;
                continue;
            }
            if (space)
            {
                builder.Append(' ');
                space = false;
            }
            builder.Append(c);
        }
        return builder.ToString();
    }
}
