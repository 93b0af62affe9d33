using System.Diagnostics.CodeAnalysis;

namespace Parley.Sip.Authentication;

/// <summary>
/// The name=value pairs of one challenge or credentials header: a handful of entries, looked up by name
/// case-insensitively. A linear array instead of a dictionary, since every authenticated request parses one; the
/// names digest uses are the shared constants of <see cref="KnownNames"/>, so parsing them allocates no string.
/// </summary>
internal sealed class AuthParameterList
{
    private static readonly string[] KnownNames =
        ["username", "realm", "nonce", "uri", "response", "algorithm", "cnonce", "opaque", "qop", "nc", "userhash", "stale", "domain", "charset", "username*"];

    private KeyValuePair<string, string>[] _items = new KeyValuePair<string, string>[12];
    private int _count;

    /// <summary>The shared instance of a parameter name digest knows, else a new string.</summary>
    public static string Name(ReadOnlySpan<char> token)
    {
        foreach (var known in KnownNames)
        {
            if (token.Equals(known, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        return token.ToString();
    }

    /// <summary>Adds the pair; false when the name is already present.</summary>
    public bool TryAdd(string name, string value)
    {
        if (IndexOf(name) >= 0)
        {
            return false;
        }

        if (_count == _items.Length)
        {
            Array.Resize(ref _items, _count * 2);
        }

        _items[_count++] = new(name, value);
        return true;
    }

    public bool TryGetValue(string name, [NotNullWhen(true)] out string? value)
    {
        var index = IndexOf(name);
        value = index < 0 ? null : _items[index].Value;
        return index >= 0;
    }

    public string? GetValueOrDefault(string name) => TryGetValue(name, out var value) ? value : null;

    public bool ContainsKey(string name) => IndexOf(name) >= 0;

    private int IndexOf(string name)
    {
        for (var i = 0; i < _count; i++)
        {
            if (ReferenceEquals(_items[i].Key, name) || string.Equals(_items[i].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
