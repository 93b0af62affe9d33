using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Parley.Sip.Messages;

/// <summary>The CSeq header: a 32-bit sequence number (RFC 3261 §8.1.1.5) and the method.</summary>
public readonly record struct CSeqHeader(uint Number, string Method)
{
    public static bool TryParse(string? text, out CSeqHeader value) => TryParse(text.AsSpan(), out value);

    public static bool TryParse(ReadOnlySpan<char> text, out CSeqHeader value)
    {
        value = default;
        text = text.Trim(" \t\r\n");
        var space = text.IndexOfAny(" \t\r\n");
        if (space <= 0 || space > 10)
        {
            return false;
        }
        if (!uint.TryParse(text[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }
        var method = text[space..].TrimStart(" \t\r\n");
        if (!SipGrammar.IsToken(method))
        {
            return false;
        }
        value = new CSeqHeader(number, SipMethods.Intern(method));
        return true;
    }

    public override string ToString() => Number.ToString(CultureInfo.InvariantCulture) + " " + Method;
}
