namespace Parley.Server.Management.Documents;

/// <summary>
/// Static route destination patterns in the seed's reversed form (Cisco IM&amp;P): <c>.com.example.*</c> matches the
/// domain example.com and every host under it; <c>.com.example.lyncserver</c> (no wildcard) matches that host only.
/// Administrators coming from Lync type the domain forwards (<c>example.com</c>, <c>*.example.com</c>): both are
/// accepted and stored reversed. A name with neither a leading dot nor a wildcard is read forwards, so the seed's
/// undotted reversed form (<c>com.remote</c>) must be typed with its dot or wildcard (<c>.com.remote.*</c>).
/// User-type routes match the user part of the Request-URI instead: an exact user or a prefix ending in <c>*</c>
/// (<c>+1408*</c>).
/// </summary>
public static class StaticRoutePattern
{
    private const string Wildcard = ".*";

    /// <summary>
    /// The stored form of <paramref name="input"/>, or null with <paramref name="problem"/> saying what is wrong.
    /// Domain patterns: lower case, reversed, leading dot.
    /// </summary>
    public static string? Normalize(string? input, StaticRouteType type, out string? problem)
    {
        problem = null;
        var text = (input ?? string.Empty).Trim();
        if (text.Length == 0)
        {
            problem = "the pattern is empty";
            return null;
        }

        if (type == StaticRouteType.User)
        {
            var user = text.EndsWith('*') ? text[..^1] : text;
            if (user.Length == 0 || user.Contains('*') || user.Any(c => char.IsWhiteSpace(c) || c is '@' or ':' or ';'))
            {
                problem = $"'{text}' is not a user pattern";
                return null;
            }

            return text;
        }

        text = text.ToLowerInvariant();
        string reversed;
        if (text.StartsWith('.'))
        {
            reversed = text;
        }
        else if (text.StartsWith("*.", StringComparison.Ordinal))
        {
            reversed = Reverse(text[2..]) + Wildcard;
        }
        else if (text.EndsWith(Wildcard, StringComparison.Ordinal))
        {
            reversed = "." + text; // "com.example.*": the reversed form without its leading dot
        }
        else
        {
            reversed = Reverse(text) + Wildcard; // a domain typed forwards, as Lync's -MatchUri takes it
        }

        // ".*" is both the leading dot and the wildcard: no labels at all.
        var labels = reversed == Wildcard ? string.Empty : reversed.EndsWith(Wildcard, StringComparison.Ordinal) ? reversed[1..^2] : reversed[1..];
        if (labels.Length == 0 || !DocumentSyntax.IsHostName(Forward("." + labels)))
        {
            problem = $"'{input}' is not a domain pattern";
            return null;
        }

        return reversed;
    }

    /// <summary>What a stored pattern matches, for people: "example.com and every host under it".</summary>
    public static string Describe(string pattern, StaticRouteType type)
    {
        if (type == StaticRouteType.User)
        {
            return pattern.EndsWith('*') ? $"users starting with {pattern[..^1]}" : $"user {pattern}";
        }

        return pattern.EndsWith(Wildcard, StringComparison.Ordinal)
            ? $"{Forward(pattern[..^2])} and every host under it"
            : $"host {Forward(pattern)} only";
    }

    /// <summary>
    /// How specifically <paramref name="pattern"/> (stored form) matches: -1 when it does not; otherwise larger is more
    /// specific (more labels or characters; an exact pattern beats a wildcard of the same length).
    /// <paramref name="value"/> is the Request-URI host for domain routes and its user part for user routes.
    /// </summary>
    public static int MatchLength(string pattern, StaticRouteType type, string value)
    {
        if (string.IsNullOrEmpty(pattern) || string.IsNullOrEmpty(value))
        {
            return -1;
        }

        if (type == StaticRouteType.User)
        {
            if (pattern.EndsWith('*'))
            {
                return value.StartsWith(pattern[..^1], StringComparison.Ordinal) ? 2 * (pattern.Length - 1) : -1;
            }

            return string.Equals(pattern, value, StringComparison.Ordinal) ? (2 * pattern.Length) + 1 : -1;
        }

        var host = Reverse(value.ToLowerInvariant());
        if (pattern.EndsWith(Wildcard, StringComparison.Ordinal))
        {
            var prefix = pattern[..^2];
            var covers = host == prefix || (host.Length > prefix.Length && host.StartsWith(prefix, StringComparison.Ordinal) && host[prefix.Length] == '.');
            return covers ? 2 * prefix.Length : -1;
        }

        return host == pattern ? (2 * pattern.Length) + 1 : -1;
    }

    /// <summary>example.com → .com.example</summary>
    public static string Reverse(string host) => "." + string.Join('.', host.TrimEnd('.').Split('.').Reverse());

    /// <summary>.com.example → example.com (the inverse of <see cref="Reverse"/>).</summary>
    public static string Forward(string reversed) => string.Join('.', reversed.TrimStart('.').Split('.').Reverse());
}
