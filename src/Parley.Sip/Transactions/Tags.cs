using System.Security.Cryptography;

namespace Parley.Sip.Transactions;

/// <summary>Random tokens: branches (RFC 3261 §8.1.1.7, magic cookie + 128 bits) and tags (§19.3, 64 bits).</summary>
public static class Tags
{
    public static string NewBranch()
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        return string.Concat(Messages.ViaHeader.MagicCookie, Convert.ToHexStringLower(random));
    }

    public static string NewTag()
    {
        Span<byte> random = stackalloc byte[8];
        RandomNumberGenerator.Fill(random);
        return Convert.ToHexStringLower(random);
    }
}
