namespace Parley.Sip.Messages;

/// <summary>Splits a comma-separated header value (RFC 3261 §7.3.1) without breaking quoted strings or &lt;URIs&gt;.</summary>
public static class HeaderValueSplitter
{
    /// <summary>The trimmed, non-empty elements of <paramref name="value"/>.</summary>
    public static IReadOnlyList<string> Split(string value)
    {
        var first = NextComma(value, 0);
        if (first < 0)
        {
            var trimmed = value.AsSpan().Trim(" \t\r\n");
            return trimmed.Length == 0 ? [] : [trimmed.Length == value.Length ? value : trimmed.ToString()];
        }
        var result = new List<string>();
        var start = 0;
        var comma = first;
        while (true)
        {
            var end = comma < 0 ? value.Length : comma;
            var element = value.AsSpan(start, end - start).Trim(" \t\r\n");
            if (element.Length > 0)
            {
                result.Add(element.ToString());
            }
            if (comma < 0)
            {
                return result;
            }
            start = comma + 1;
            comma = NextComma(value, start);
        }
    }

    /// <summary>Index of the first comma at or after <paramref name="start"/> outside quotes and angle brackets, or -1.</summary>
    public static int NextComma(ReadOnlySpan<char> value, int start)
    {
        var inAngle = false;
        for (var i = start; i < value.Length; i++)
        {
            switch (value[i])
            {
                case '"':
                    var after = SipGrammar.SkipQuoted(value, i);
                    if (after < 0)
                    {
                        return -1;
                    }
                    i = after - 1;
                    break;
                case '<':
                    inAngle = true;
                    break;
                case '>':
                    inAngle = false;
                    break;
                case ',' when !inAngle:
                    return i;
            }
        }
        return -1;
    }
}
