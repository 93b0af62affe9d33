namespace Parley.Xmpp.Sasl;

/// <summary>PLAIN (RFC 4616) message parsing: [authzid] NUL authcid NUL passwd, UTF-8.</summary>
public static class SaslPlain
{
    public static bool TryParse(ReadOnlySpan<byte> message, out string authzid, out string authcid, out string password)
        => throw new NotImplementedException();
}
