using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Parley.Xmpp.Addressing;

/// <summary>An XMPP address (RFC 7622), normalised: localpart and domain case-folded, all parts NFC.</summary>
/// <remarks>
/// PRECIS is approximated: the localpart gets NFC and invariant lower-casing (UsernameCaseMapped without width
/// mapping) and the RFC 7622 §3.3.1 exclusions; the domain gets lower-casing, NFC, IDNA dots and label-length rules;
/// the resourcepart (OpaqueString) gets NFC and no controls. NFC relies on <see cref="string.Normalize()"/>, i.e. on
/// ICU: Parley runs with globalization on (a process with invariant globalization would leave non-ASCII text as is).
/// </remarks>
public sealed class Jid : IEquatable<Jid>
{
    /// <summary>Each part is at most 1023 bytes of UTF-8 (RFC 7622 §3.2-3.4).</summary>
    public const int MaxPartBytes = 1023;

    private readonly int _hashCode;
    private string? _text;
    private Jid? _bare;

    private Jid(string? local, string domain, string? resource)
    {
        Local = local;
        Domain = domain;
        Resource = resource;
        _hashCode = HashCode.Combine(
            local is null ? 0 : StringComparer.Ordinal.GetHashCode(local),
            StringComparer.Ordinal.GetHashCode(domain),
            resource is null ? 0 : StringComparer.Ordinal.GetHashCode(resource));
    }

    public string? Local { get; }

    public string Domain { get; }

    public string? Resource { get; }

    public bool IsBare => Resource is null;

    public Jid Bare => Resource is null ? this : _bare ??= new Jid(Local, Domain, null);

    public static bool TryParse(string? text, [NotNullWhen(true)] out Jid? jid) => TryParse(text, out jid, out _);

    /// <summary>Parses or throws <see cref="FormatException"/> whose message says which part is wrong.</summary>
    public static Jid Parse(string text)
        => TryParse(text, out var jid, out var error) ? jid : throw new FormatException(error);

    public static bool TryParse(string? text, [NotNullWhen(true)] out Jid? jid, [NotNullWhen(false)] out string? error)
    {
        jid = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "JID is empty";
            return false;
        }

        // Three parts of 1023 bytes plus separators; anything longer cannot be valid, so don't normalise it.
        if (text.Length > (3 * MaxPartBytes) + 2)
        {
            error = "JID is too long";
            return false;
        }

        // RFC 7622 §3.1: the resource starts at the first '/', the localpart ends at the first '@' before it.
        string? resource = null;
        var slash = text.IndexOf('/');
        var bareText = text;
        if (slash >= 0)
        {
            resource = text[(slash + 1)..];
            bareText = text[..slash];
            if (resource.Length == 0)
            {
                error = "resourcepart is empty after '/'";
                return false;
            }
        }

        string? local = null;
        var domain = bareText;
        var at = bareText.IndexOf('@');
        if (at >= 0)
        {
            local = bareText[..at];
            domain = bareText[(at + 1)..];
            if (local.Length == 0)
            {
                error = "localpart is empty before '@'";
                return false;
            }
        }

        return TryCreate(local, domain, resource, out jid, out error);
    }

    public static bool TryCreate(string? local, string domain, string? resource, [NotNullWhen(true)] out Jid? jid, out string? error)
    {
        jid = null;
        if (!TryNormalizeDomain(domain, out var normalizedDomain, out error))
        {
            return false;
        }

        string? normalizedLocal = null;
        if (local is not null && !TryNormalizeLocal(local, out normalizedLocal, out error))
        {
            return false;
        }

        string? normalizedResource = null;
        if (resource is not null && !TryNormalizeResource(resource, out normalizedResource, out error))
        {
            return false;
        }

        jid = new Jid(normalizedLocal, normalizedDomain, normalizedResource);
        error = null;
        return true;
    }

    public Jid WithResource(string resource)
    {
        if (!TryNormalizeResource(resource, out var normalized, out var error))
        {
            throw new ArgumentException(error, nameof(resource));
        }

        return new Jid(Local, Domain, normalized);
    }

    public bool Equals(Jid? other)
        => other is not null
           && (ReferenceEquals(this, other)
               || (_hashCode == other._hashCode
                   && string.Equals(Domain, other.Domain, StringComparison.Ordinal)
                   && string.Equals(Local, other.Local, StringComparison.Ordinal)
                   && string.Equals(Resource, other.Resource, StringComparison.Ordinal)));

    public override bool Equals(object? obj) => obj is Jid other && Equals(other);

    public override int GetHashCode() => _hashCode;

    public override string ToString() => _text ??= Format();

    public static bool operator ==(Jid? left, Jid? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(Jid? left, Jid? right) => !(left == right);

    private string Format() => (Local, Resource) switch
    {
        (null, null) => Domain,
        (null, _) => string.Concat(Domain, "/", Resource),
        (_, null) => string.Concat(Local, "@", Domain),
        _ => string.Concat(Local, "@", Domain, "/", Resource),
    };

    private static bool TryNormalizeLocal(string local, [NotNullWhen(true)] out string? normalized, out string? error)
    {
        normalized = null;
        if (local.Length == 0)
        {
            error = "localpart is empty";
            return false;
        }

        var text = Nfc(local)?.ToLowerInvariant();
        if (text is null)
        {
            error = "localpart contains an unpaired surrogate";
            return false;
        }

        foreach (var c in text)
        {
            // RFC 7622 §3.3.1 excludes these; spaces and controls are disallowed by the IdentifierClass.
            if (c is '"' or '&' or '\'' or '/' or ':' or '<' or '>' or '@' || char.IsWhiteSpace(c) || char.IsControl(c))
            {
                error = $"localpart contains a forbidden character (U+{(int)c:X4})";
                return false;
            }
        }

        return CheckLength(text, "localpart", out normalized, out error);
    }

    private static bool TryNormalizeResource(string resource, [NotNullWhen(true)] out string? normalized, out string? error)
    {
        normalized = null;
        if (resource.Length == 0)
        {
            error = "resourcepart is empty";
            return false;
        }

        var text = Nfc(resource);
        if (text is null)
        {
            error = "resourcepart contains an unpaired surrogate";
            return false;
        }

        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                error = $"resourcepart contains a control character (U+{(int)c:X4})";
                return false;
            }
        }

        return CheckLength(text, "resourcepart", out normalized, out error);
    }

    private static bool TryNormalizeDomain(string domain, [NotNullWhen(true)] out string? normalized, out string? error)
    {
        normalized = null;
        if (string.IsNullOrEmpty(domain))
        {
            error = "domainpart is empty";
            return false;
        }

        if (domain[0] == '[')
        {
            // IPv6 literal (RFC 7622 §3.2, RFC 3986 IP-literal).
            if (domain[^1] != ']' || !IPAddress.TryParse(domain.AsSpan(1, domain.Length - 2), out var address)
                || address.AddressFamily != AddressFamily.InterNetworkV6 || address.ScopeId != 0 || domain.Contains('%'))
            {
                error = "domainpart is not a valid IPv6 literal";
                return false;
            }

            normalized = domain.ToLowerInvariant();
            error = null;
            return true;
        }

        // IDNA2008 maps the ideographic and full-width full stops to '.'; one trailing dot is dropped (§3.2).
        var nfc = Nfc(domain);
        if (nfc is null)
        {
            error = "domainpart contains an unpaired surrogate";
            return false;
        }

        var text = nfc.ToLowerInvariant().Replace('\u3002', '.').Replace('\uFF0E', '.').Replace('\uFF61', '.');
        if (text.EndsWith('.'))
        {
            text = text[..^1];
        }

        if (text.Length == 0)
        {
            error = "domainpart is empty";
            return false;
        }

        foreach (var label in text.AsSpan().Split('.'))
        {
            var labelText = text.AsSpan(label);
            if (labelText.Length == 0)
            {
                error = "domainpart has an empty label";
                return false;
            }

            if (labelText.Length > 63)
            {
                error = "domainpart has a label longer than 63 characters";
                return false;
            }

            if (labelText[0] == '-' || labelText[^1] == '-')
            {
                error = "domainpart has a label starting or ending with '-'";
                return false;
            }

            foreach (var c in labelText)
            {
                if (!IsDomainChar(c))
                {
                    error = $"domainpart contains a forbidden character (U+{(int)c:X4})";
                    return false;
                }
            }
        }

        return CheckLength(text, "domainpart", out normalized, out error);
    }

    /// <summary>LDH plus underscore (seen in real host names) and non-ASCII letters, digits and marks (IDN U-labels).</summary>
    private static bool IsDomainChar(char c)
    {
        if (c < 0x80)
        {
            return char.IsAsciiLetterOrDigit(c) || c is '-' or '_';
        }

        return char.IsSurrogate(c) || CharUnicodeInfo.GetUnicodeCategory(c) switch
        {
            UnicodeCategory.LowercaseLetter or UnicodeCategory.UppercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber
                or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark => true,
            _ => false,
        };
    }

    private static bool CheckLength(string text, string part, [NotNullWhen(true)] out string? normalized, out string? error)
    {
        if (Encoding.UTF8.GetByteCount(text) > MaxPartBytes)
        {
            normalized = null;
            error = $"{part} is longer than {MaxPartBytes} bytes";
            return false;
        }

        normalized = text;
        error = null;
        return true;
    }

    /// <summary>NFC, or null when the text has an unpaired surrogate (not a Unicode string at all).</summary>
    private static string? Nfc(string text)
    {
        // ASCII is always NFC; skipping the call keeps the common case allocation-free.
        if (Ascii.IsValid(text))
        {
            return text;
        }

        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return null;
            }
        }

        return text.Normalize(NormalizationForm.FormC);
    }
}
