using Parley.Sip.Messages;
using Parley.Sip.Transactions;

namespace Parley.Sip.Tests.Transactions;

public sealed class RandomTokensTests
{
    [Fact]
    public void Branches_carry_the_magic_cookie_and_128_bits_in_hex()
    {
        var branch = new RandomTokens().NewBranch();

        Assert.StartsWith(ViaHeader.MagicCookie, branch, StringComparison.Ordinal);
        Assert.Equal(ViaHeader.MagicCookie.Length + 32, branch.Length);
        Assert.True(branch[ViaHeader.MagicCookie.Length..].All(char.IsAsciiHexDigitLower));
    }

    [Fact]
    public void Tokens_stay_distinct_across_many_refills_of_the_buffer()
    {
        var tokens = new RandomTokens();

        // 2,000 tags and branches draw 48 KB: the 512-byte buffer is refilled about a hundred times.
        var tags = Enumerable.Range(0, 2000).Select(_ => tokens.NewTag()).ToList();
        var branches = Enumerable.Range(0, 2000).Select(_ => tokens.NewBranch()).ToList();

        Assert.All(tags, tag => Assert.Matches("^[0-9a-f]{16}$", tag));
        Assert.Equal(tags.Count, tags.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(branches.Count, branches.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Concurrent_callers_never_get_the_same_bytes()
    {
        var tokens = new RandomTokens();

        var tags = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 4000, _ => tags.Add(tokens.NewHex(16)));

        Assert.Equal(4000, tags.Distinct(StringComparer.Ordinal).Count());
    }
}
