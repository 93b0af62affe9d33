using System.Security.Cryptography;
using System.Text;
using Parley.Sip.Authentication;
using Xunit;

namespace Parley.Sip.Tests.Authentication;

public sealed class Md5Tests
{
    [Theory]
    [InlineData("", "d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("a", "0cc175b9c0f1b6a831c399e269772661")]
    [InlineData("abc", "900150983cd24fb0d6963f7d28e17f72")]
    [InlineData("message digest", "f96b697d7cb7938d525a2f31aaf161d0")]
    [InlineData("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f")]
    [InlineData("12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a")]
    public void Rfc1321_test_suite_is_reproduced(string input, string expected)
    {
        Span<byte> digest = stackalloc byte[16];
        Md5.HashData(Encoding.ASCII.GetBytes(input), digest);
        Assert.Equal(expected, Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void Matches_the_platform_for_every_length_around_the_block_boundaries()
    {
        var random = new Random(1321);
        Span<byte> ours = stackalloc byte[16];
        Span<byte> platform = stackalloc byte[16];
        for (var length = 0; length <= 300; length++)
        {
            for (var round = 0; round < 20; round++)
            {
                var data = new byte[length];
                random.NextBytes(data);
                Md5.HashData(data, ours);
                MD5.HashData(data, platform);
                Assert.True(ours.SequenceEqual(platform), $"length {length}, round {round}");
            }
        }
    }

    [Fact]
    public void A_destination_too_small_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Md5.HashData([1, 2, 3], new byte[15]));
    }
}
