using Parley.Sip.Transactions;

namespace Parley.Server.Sip.Core;

/// <summary>Fresh tags and Call-IDs for requests and responses Parley originates (RFC 3261 §8.1.1.4, §19.3).</summary>
public static class SipIdentifiers
{
    /// <summary>A From/To tag (64 random bits).</summary>
    public static string NewTag() => Tags.NewTag();

    /// <summary>A Call-ID: 128 random bits in hex at the given host.</summary>
    public static string NewCallId(string host, RandomTokens tokens) => string.Concat(tokens.NewHex(16), "@", host);
}
