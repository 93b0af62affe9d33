using System.Collections;
using System.Runtime.CompilerServices;
using System.Text;

namespace Parley.Sip.Messages;

/// <summary>
/// Ordered <c>;name=value</c> parameters of a URI or header. Names compare case-insensitively; a flag
/// parameter such as <c>;lr</c> has a null value. Values are kept as received (quotes and URI escapes
/// included) so a message round-trips byte for byte.
/// </summary>
public sealed class SipParameters : IEnumerable<KeyValuePair<string, string?>>
{
    // Created on the first parameter: most URIs and many name-addresses have none, and a message has several of each.
    private List<KeyValuePair<string, string?>>? _items;

    public int Count => _items?.Count ?? 0;

    /// <summary>Changes on every mutation, so an owner can tell whether text it cached is stale.</summary>
    internal int Version { get; private set; }

    /// <summary>The value of the first parameter with that name, or null (absent or a flag).</summary>
    public string? this[string name]
    {
        get
        {
            var index = IndexOf(name);
            return index < 0 ? null : _items![index].Value;
        }
    }

    public bool Contains(string name) => IndexOf(name) >= 0;

    /// <summary>Replaces the value in place, or appends the parameter.</summary>
    public void Set(string name, string? value)
    {
        if (!SipGrammar.IsToken(name))
        {
            throw new ArgumentException($"'{name}' is not a token", nameof(name));
        }
        if (value is not null && (value.AsSpan().ContainsAny(";,\r\n") && !(value.StartsWith('"') && value.EndsWith('"'))))
        {
            throw new ArgumentException("parameter value must be a token, host or quoted string", nameof(value));
        }
        Version++;
        var index = IndexOf(name);
        if (index < 0)
        {
            (_items ??= new(2)).Add(new(name, value));
        }
        else
        {
            _items![index] = new(_items[index].Key, value);
        }
    }

    public bool Remove(string name)
    {
        var index = IndexOf(name);
        if (index < 0)
        {
            return false;
        }
        _items!.RemoveAt(index);
        Version++;
        return true;
    }

    public SipParameters Clone()
    {
        var copy = new SipParameters();
        if (_items is { Count: > 0 })
        {
            copy._items = new(_items);
        }

        return copy;
    }

    public IEnumerator<KeyValuePair<string, string?>> GetEnumerator() => (_items ?? Enumerable.Empty<KeyValuePair<string, string?>>()).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Writes <c>;name=value</c> for each parameter.</summary>
    public void AppendTo(StringBuilder builder)
    {
        if (_items is null)
        {
            return;
        }

        foreach (var (name, value) in _items)
        {
            builder.Append(';').Append(name);
            if (value is not null)
            {
                builder.Append('=').Append(value);
            }
        }
    }

    /// <summary>Writes <c>;name=value</c> for each parameter into a stack-buffered builder.</summary>
    public void AppendTo(ref DefaultInterpolatedStringHandler builder)
    {
        if (_items is null)
        {
            return;
        }

        foreach (var (name, value) in _items)
        {
            builder.AppendFormatted(';');
            builder.AppendLiteral(name);
            if (value is not null)
            {
                builder.AppendFormatted('=');
                builder.AppendLiteral(value);
            }
        }
    }

    public override string ToString()
    {
        var builder = new StringBuilder();
        AppendTo(builder);
        return builder.ToString();
    }

    private int IndexOf(string name)
    {
        if (_items is null)
        {
            return -1;
        }

        for (var i = 0; i < _items.Count; i++)
        {
            if (string.Equals(_items[i].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>
    /// Parses header parameters (<c>*( SEMI generic-param )</c>, whitespace allowed around ';' and '=').
    /// <paramref name="text"/> starts at the first ';' or is empty.
    /// </summary>
    internal static bool TryParseHeaderParameters(ReadOnlySpan<char> text, out SipParameters parameters)
    {
        parameters = new SipParameters();
        var i = 0;
        while (true)
        {
            i = SkipWhitespace(text, i);
            if (i == text.Length)
            {
                return true;
            }
            if (text[i] != ';')
            {
                return false;
            }
            i = SkipWhitespace(text, i + 1);
            var token = SipGrammar.ReadToken(text, ref i);
            if (token.IsEmpty)
            {
                return false;
            }
            var name = token.ToString();
            i = SkipWhitespace(text, i);
            string? value = null;
            if (i < text.Length && text[i] == '=')
            {
                i = SkipWhitespace(text, i + 1);
                if (i == text.Length)
                {
                    return false;
                }
                var valueStart = i;
                if (text[i] == '"')
                {
                    i = SipGrammar.SkipQuoted(text, i);
                    if (i < 0)
                    {
                        return false;
                    }
                }
                else if (text[i] == '[')
                {
                    // An IPv6 reference as gen-value (e.g. received=[2001:db8::9]).
                    var close = text[i..].IndexOf(']');
                    if (close < 0)
                    {
                        return false;
                    }
                    i += close + 1;
                }
                else
                {
                    // token or host; ':' admits the unbracketed IPv6address RFC 3261 allows in
                    // received (RFC 5118 §4.5).
                    while (i < text.Length && (SipGrammar.TokenChars.Contains(text[i]) || text[i] == ':'))
                    {
                        i++;
                    }
                    if (i == valueStart)
                    {
                        return false;
                    }
                }
                value = text[valueStart..i].ToString();
            }
            (parameters._items ??= new(2)).Add(new(name, value));
        }
    }

    /// <summary>Parses URI parameters (<c>*( ";" uri-parameter )</c>, no whitespace). <paramref name="text"/> starts at ';' or is empty.</summary>
    internal static bool TryParseUriParameters(ReadOnlySpan<char> text, out SipParameters parameters)
    {
        parameters = new SipParameters();
        if (text.IsEmpty)
        {
            return true;
        }
        if (text[0] != ';')
        {
            return false;
        }
        foreach (var range in text[1..].Split(';'))
        {
            var part = text[1..][range];
            var eq = part.IndexOf('=');
            var name = eq < 0 ? part : part[..eq];
            if (name.IsEmpty || !SipGrammar.IsParamChars(name))
            {
                return false;
            }
            string? value = null;
            if (eq >= 0)
            {
                var raw = part[(eq + 1)..];
                if (raw.IsEmpty || !SipGrammar.IsParamChars(raw))
                {
                    return false;
                }
                value = raw.ToString();
            }
            (parameters._items ??= new(2)).Add(new(name.ToString(), value));
        }
        return true;
    }

    private static int SkipWhitespace(ReadOnlySpan<char> text, int i)
    {
        while (i < text.Length && SipGrammar.IsWhitespace(text[i]))
        {
            i++;
        }
        return i;
    }
}
