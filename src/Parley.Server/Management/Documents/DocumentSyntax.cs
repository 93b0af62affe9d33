using System.Net;
using System.Net.Sockets;

namespace Parley.Server.Management.Documents;

/// <summary>Syntax checks for the names and addresses in configuration documents (RFC 1123 host names, dotted IPv4, IPv6, CIDR).</summary>
public static class DocumentSyntax
{
    public const int MaxNameLength = 253;

    /// <summary>
    /// A DNS host name: labels of letters (IDN U-labels too), digits and inner hyphens, 1–63 characters each; not an
    /// IP address, and not all-numeric in its last label (RFC 3696 §2), so a mistyped address such as 10.0.0.300 is
    /// not taken for a name.
    /// </summary>
    public static bool IsHostName(string value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxNameLength || TryParseIp(value, out _) || value[(value.LastIndexOf('.') + 1)..].All(char.IsAsciiDigit))
        {
            return false;
        }

        foreach (var label in value.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-' || !label.All(c => char.IsLetterOrDigit(c) || c == '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Strict: IPv4 only as four decimal parts (IPAddress.TryParse would take "10.1" as 10.0.0.1), or IPv6.</summary>
    public static bool TryParseIp(string value, out IPAddress address)
    {
        address = IPAddress.None;
        if (string.IsNullOrEmpty(value) || !IPAddress.TryParse(value, out var parsed))
        {
            return false;
        }

        if (parsed.AddressFamily == AddressFamily.InterNetwork)
        {
            var parts = value.Split('.');
            if (parts.Length != 4 || parts.Any(p => p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit)))
            {
                return false;
            }
        }
        else if (!value.Contains(':', StringComparison.Ordinal))
        {
            return false;
        }

        address = parsed;
        return true;
    }

    /// <summary>Null when <paramref name="value"/> is an IP or a CIDR network; else what is wrong.</summary>
    public static string? CheckAddressOrNetwork(string value)
    {
        var slash = value.IndexOf('/');
        if (slash < 0)
        {
            return TryParseIp(value, out _) ? null : $"'{value}' is not an IP address or CIDR network";
        }

        if (!TryParseIp(value[..slash], out var ip))
        {
            return $"'{value[..slash]}' in '{value}' is not an IP address";
        }

        var max = ip.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = value[(slash + 1)..];
        if (prefix.Length is 0 or > 3 || !prefix.All(char.IsAsciiDigit) || int.Parse(prefix, System.Globalization.CultureInfo.InvariantCulture) > max)
        {
            return $"the prefix length '/{prefix}' in '{value}' is not 0–{max}";
        }

        var length = int.Parse(prefix, System.Globalization.CultureInfo.InvariantCulture);
        var bytes = ip.GetAddressBytes();
        for (var bit = length; bit < bytes.Length * 8; bit++)
        {
            if ((bytes[bit / 8] & (0x80 >> (bit % 8))) != 0)
            {
                return $"'{value}' has host bits set after the /{prefix} prefix";
            }
        }

        return null;
    }
}
