using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using Parley.Sip.Messages;

namespace Parley.Sip.Authentication;

/// <summary>
/// The <c>scheme name=value, name="quoted"</c> form shared by WWW-Authenticate, Proxy-Authenticate,
/// Authorization and Proxy-Authorization (RFC 3261 §25.1 challenge/credentials, RFC 7235 §2.1).
/// Quoted values are returned unquoted with escapes removed.
/// </summary>
internal static class AuthParameters
{
    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out string? scheme, [NotNullWhen(true)] out AuthParameterList? parameters)
    {
        scheme = null;
        parameters = null;
        text = text.Trim(" \t\r\n");
        var i = 0;
        while (i < text.Length && SipGrammar.TokenChars.Contains(text[i]))
        {
            i++;
        }
        if (i == 0 || (i < text.Length && !SipGrammar.IsWhitespace(text[i])))
        {
            return false;
        }
        scheme = SchemeName(text[..i]);
        var result = new AuthParameterList();
        while (true)
        {
            i = Skip(text, i);
            if (i == text.Length)
            {
                break;
            }
            var token = SipGrammar.ReadToken(text, ref i);
            if (token.IsEmpty)
            {
                return false;
            }
            var name = AuthParameterList.Name(token);
            i = Skip(text, i);
            if (i == text.Length || text[i] != '=')
            {
                return false;
            }
            i = Skip(text, i + 1);
            if (i == text.Length)
            {
                return false;
            }
            string value;
            if (text[i] == '"')
            {
                var end = SipGrammar.SkipQuoted(text, i);
                if (end < 0)
                {
                    return false;
                }
                value = SipGrammar.Unquote(text[i..end]);
                i = end;
            }
            else
            {
                var valueStart = i;
                while (i < text.Length && text[i] != ',' && !SipGrammar.IsWhitespace(text[i]))
                {
                    i++;
                }
                if (i == valueStart)
                {
                    return false;
                }
                value = text[valueStart..i].ToString();
            }
            // A repeated parameter makes the header ambiguous (RFC 7616 §3.4: each "MUST" appear once).
            if (!result.TryAdd(name, value))
            {
                return false;
            }
            i = Skip(text, i);
            if (i < text.Length)
            {
                if (text[i] != ',')
                {
                    return false;
                }
                i++;
            }
        }
        parameters = result;
        return true;
    }

    /// <summary>The scheme token of an authorization header (e.g. to answer 401 for an unknown scheme).</summary>
    public static string? Scheme(string value)
    {
        var text = value.AsSpan().Trim(" \t");
        var end = 0;
        while (end < text.Length && SipGrammar.TokenChars.Contains(text[end]))
        {
            end++;
        }
        return end == 0 ? null : SchemeName(text[..end]);
    }

    // Every authenticated request names the Digest scheme: the shared string, not a copy (the case is not significant).
    private static string SchemeName(ReadOnlySpan<char> token) => token.Equals("Digest", StringComparison.OrdinalIgnoreCase) ? "Digest" : token.ToString();

    public static void AppendQuoted(StringBuilder builder, string name, string value, ref bool first)
    {
        Separator(builder, ref first);
        builder.Append(name).Append('=').Append(SipGrammar.Quote(value));
    }

    public static void AppendToken(StringBuilder builder, string name, string value, ref bool first)
    {
        Separator(builder, ref first);
        builder.Append(name).Append('=').Append(value);
    }

    public static void AppendQuoted(ref DefaultInterpolatedStringHandler builder, string name, string value, ref bool first)
    {
        Separator(ref builder, ref first);
        builder.AppendLiteral(name);
        builder.AppendFormatted('=');
        SipGrammar.AppendQuoted(ref builder, value);
    }

    public static void AppendToken(ref DefaultInterpolatedStringHandler builder, string name, string value, ref bool first)
    {
        Separator(ref builder, ref first);
        builder.AppendLiteral(name);
        builder.AppendFormatted('=');
        builder.AppendLiteral(value);
    }

    private static void Separator(ref DefaultInterpolatedStringHandler builder, ref bool first)
    {
        builder.AppendLiteral(first ? " " : ", ");
        first = false;
    }

    private static void Separator(StringBuilder builder, ref bool first)
    {
        builder.Append(first ? " " : ", ");
        first = false;
    }

    private static int Skip(ReadOnlySpan<char> text, int i)
    {
        while (i < text.Length && SipGrammar.IsWhitespace(text[i]))
        {
            i++;
        }
        return i;
    }
}
