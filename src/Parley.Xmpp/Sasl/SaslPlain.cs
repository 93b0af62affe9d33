using System.Text;
using System.Text.Unicode;

namespace Parley.Xmpp.Sasl;

/// <summary>PLAIN (RFC 4616) message parsing: [authzid] NUL authcid NUL passwd, UTF-8.</summary>
public static class SaslPlain
{
    /// <summary>RFC 4616 allows 255 octets per field; 1 KiB for the whole message is generous.</summary>
    public const int MaxMessageBytes = 1024;

    public static bool TryParse(ReadOnlySpan<byte> message, out string authzid, out string authcid, out string password)
    {
        authzid = authcid = password = string.Empty;
        if (message.Length > MaxMessageBytes || message.Count((byte)0) != 2 || !Utf8.IsValid(message))
        {
            return false;
        }

        var first = message.IndexOf((byte)0);
        var rest = message[(first + 1)..];
        var second = rest.IndexOf((byte)0);
        var identity = rest[..second];
        var secret = rest[(second + 1)..];
        if (identity.IsEmpty || secret.IsEmpty)
        {
            return false;
        }

        authzid = Encoding.UTF8.GetString(message[..first]);
        authcid = Encoding.UTF8.GetString(identity);
        password = Encoding.UTF8.GetString(secret);
        return true;
    }
}
