using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Parley.Sip.Messages;

/// <summary>Character classes and escaping of the RFC 3261 §25 ABNF.</summary>
internal static class SipGrammar
{
    private const string Alphanum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const string Mark = "-_.!~*'()";

    public static readonly SearchValues<char> TokenChars = SearchValues.Create(Alphanum + "-.!%*_+`'~");
    public static readonly SearchValues<byte> TokenBytes = SearchValues.Create("-.!%*_+`'~"u8.ToArray().Concat(Encoding.ASCII.GetBytes(Alphanum)).ToArray());
    private static readonly SearchValues<char> Unreserved = SearchValues.Create(Alphanum + Mark);
    private static readonly SearchValues<char> UserUnreserved = SearchValues.Create("&=+$,;?/");
    private static readonly SearchValues<char> PasswordUnreserved = SearchValues.Create("&=+$,");
    private static readonly SearchValues<char> ParamUnreserved = SearchValues.Create("[]/:&+$");
    private static readonly SearchValues<char> HostChars = SearchValues.Create(Alphanum + "-.");

    public static bool IsToken(ReadOnlySpan<char> text) => text.Length > 0 && !text.ContainsAnyExcept(TokenChars);

    public static bool IsToken(ReadOnlySpan<byte> text) => text.Length > 0 && !text.ContainsAnyExcept(TokenBytes);

    public static bool StartsWithIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> prefix) =>
        text.Length >= prefix.Length && Ascii.EqualsIgnoreCase(text[..prefix.Length], prefix);

    public static bool IsWhitespace(char c) => c is ' ' or '\t' or '\r' or '\n';

    public static bool IsHostName(ReadOnlySpan<char> host) => host.Length > 0 && !host.ContainsAnyExcept(HostChars);

    /// <summary>Reads the token starting at <paramref name="index"/> and moves past it; empty when none starts there.</summary>
    public static ReadOnlySpan<char> ReadToken(ReadOnlySpan<char> text, ref int index)
    {
        var start = index;
        while (index < text.Length && TokenChars.Contains(text[index]))
        {
            index++;
        }

        return text[start..index];
    }

    /// <summary>Validates user (or password) characters: unreserved, escapes, and the part's own extras.</summary>
    public static bool IsValidEscapedText(ReadOnlySpan<char> text, bool password)
        => IsUnreservedOrEscaped(text, password ? PasswordUnreserved : UserUnreserved);

    /// <summary>URI parameter name or value characters (paramchar) with escapes.</summary>
    public static bool IsParamChars(ReadOnlySpan<char> text) => IsUnreservedOrEscaped(text, ParamUnreserved);

    private static bool IsUnreservedOrEscaped(ReadOnlySpan<char> text, SearchValues<char> extra)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%')
            {
                if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
                {
                    return false;
                }

                i += 2;
            }
            else if (!Unreserved.Contains(c) && !extra.Contains(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Decodes %HH escapes (as UTF-8 octets); input is already validated.</summary>
    public static string Unescape(ReadOnlySpan<char> text)
    {
        if (!text.Contains('%'))
        {
            return text.ToString();
        }
        var bytes = new byte[text.Length];
        var n = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%')
            {
                bytes[n++] = (byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2]));
                i += 2;
            }
            else if (text[i] < 0x80)
            {
                bytes[n++] = (byte)text[i];
            }
            else
            {
                // Validated text holds only ASCII; keep the method total for other callers.
                n += Encoding.UTF8.GetBytes(text.Slice(i, 1), bytes.AsSpan(n));
            }
        }
        return Encoding.UTF8.GetString(bytes, 0, n);
    }

    /// <summary>Escapes every character not allowed unescaped in a user (or password) part (RFC 3261 §19.1.2).</summary>
    public static void AppendEscaped(ref DefaultInterpolatedStringHandler builder, string text, bool password)
    {
        var extra = password ? PasswordUnreserved : UserUnreserved;
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < 0x80 && (Unreserved.Contains(c) || extra.Contains(c)))
            {
                builder.AppendFormatted(c);
                continue;
            }
            var length = char.IsHighSurrogate(c) && i + 1 < text.Length
                ? Encoding.UTF8.GetBytes(text.AsSpan(i++, 2), utf8)
                : Encoding.UTF8.GetBytes(text.AsSpan(i, 1), utf8);
            foreach (var b in utf8[..length])
            {
                builder.AppendFormatted('%');
                builder.AppendFormatted(HexUpper[b >> 4]);
                builder.AppendFormatted(HexUpper[b & 0xF]);
            }
        }
    }

    /// <summary>Reads a quoted-string starting at <paramref name="start"/> (the opening quote); returns the index after the closing quote or -1.</summary>
    public static int SkipQuoted(ReadOnlySpan<char> text, int start)
    {
        for (var i = start + 1; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == '"')
            {
                return i + 1;
            }
        }
        return -1;
    }

    /// <summary>Removes the quotes and backslash escapes of a quoted-string (including its quotes).</summary>
    public static string Unquote(ReadOnlySpan<char> quoted)
    {
        var inner = quoted[1..^1];
        if (!inner.Contains('\\'))
        {
            return inner.ToString();
        }
        var builder = new StringBuilder(inner.Length);
        for (var i = 0; i < inner.Length; i++)
        {
            if (inner[i] == '\\' && i + 1 < inner.Length)
            {
                i++;
            }
            builder.Append(inner[i]);
        }
        return builder.ToString();
    }

    /// <summary>
    /// Formats text as a quoted-string, escaping quote, backslash and control characters as quoted-pairs
    /// (RFC 3261 §25.1). CR and LF cannot be carried and are refused.
    /// </summary>
    public static string Quote(string text)
    {
        var builder = new DefaultInterpolatedStringHandler(0, 0, CultureInfo.InvariantCulture, stackalloc char[128]);
        AppendQuoted(ref builder, text);
        return builder.ToStringAndClear();
    }

    /// <summary>Appends <paramref name="text"/> as a quoted-string (see <see cref="Quote"/>) without an intermediate string.</summary>
    public static void AppendQuoted(ref DefaultInterpolatedStringHandler builder, string text)
    {
        if (text.AsSpan().ContainsAny('\r', '\n'))
        {
            throw new ArgumentException("a quoted string cannot carry CR or LF", nameof(text));
        }
        builder.AppendFormatted('"');
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '"' or '\\' || (char.IsControl(c) && c is not '\t' && c < 0x80))
            {
                builder.AppendFormatted(text.AsSpan(start, i - start));
                builder.AppendFormatted('\\');
                start = i;
            }
        }
        builder.AppendFormatted(text.AsSpan(start));
        builder.AppendFormatted('"');
    }

    private const string HexUpper = "0123456789ABCDEF";

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
