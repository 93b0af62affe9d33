using Parley.Server.Management.Documents;

namespace Parley.Server.Tests.Management.Documents;

public sealed class StaticRoutePatternTests
{
    [Theory]
    [InlineData("example.com", ".com.example.*")]
    [InlineData("*.example.com", ".com.example.*")]
    [InlineData("com.example.*", ".com.example.*")]
    [InlineData(".com.example.*", ".com.example.*")]
    [InlineData("  Example.COM  ", ".com.example.*")]
    [InlineData("example.com.", ".com.example.*")]
    [InlineData(".com.example.lyncserver", ".com.example.lyncserver")]
    [InlineData("sip.partner.co.uk", ".uk.co.partner.sip.*")]
    public void Domain_patterns_are_stored_reversed_whatever_form_they_are_typed_in(string input, string stored)
    {
        Assert.Equal(stored, StaticRoutePattern.Normalize(input, StaticRouteType.Domain, out var problem));
        Assert.Null(problem);
        Assert.Equal(stored, StaticRoutePattern.Normalize(stored, StaticRouteType.Domain, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData(".")]
    [InlineData(".*")]
    [InlineData("*")]
    [InlineData("*.")]
    [InlineData("*.*.example.com")]
    [InlineData("example.*.com")]
    [InlineData(".com..example.*")]
    [InlineData("sip:example.com")]
    [InlineData("exa mple.com")]
    [InlineData("10.0.0.1")]
    [InlineData("example.com;transport=tls")]
    public void Garbage_is_not_a_domain_pattern(string? input)
    {
        Assert.Null(StaticRoutePattern.Normalize(input, StaticRouteType.Domain, out var problem));
        Assert.False(string.IsNullOrEmpty(problem));
    }

    [Theory]
    [InlineData("+1408*", "+1408*")]
    [InlineData(" alice ", "alice")]
    [InlineData("Alice", "Alice")]
    public void User_patterns_are_a_user_or_a_prefix_kept_as_typed(string input, string stored)
        => Assert.Equal(stored, StaticRoutePattern.Normalize(input, StaticRouteType.User, out _));

    [Theory]
    [InlineData("*")]
    [InlineData("a*b*")]
    [InlineData("alice@example.com")]
    [InlineData("sip:alice")]
    [InlineData("al ice")]
    public void Garbage_is_not_a_user_pattern(string input)
    {
        Assert.Null(StaticRoutePattern.Normalize(input, StaticRouteType.User, out var problem));
        Assert.Contains("not a user pattern", problem);
    }

    [Theory]
    [InlineData(".com.example.*", "example.com", true)]
    [InlineData(".com.example.*", "lync.EXAMPLE.com", true)]
    [InlineData(".com.example.*", "a.b.example.com", true)]
    [InlineData(".com.example.*", "badexample.com", false)]
    [InlineData(".com.example.*", "example.com.evil.net", false)]
    [InlineData(".com.example.*", "com", false)]
    [InlineData(".com.example.lync", "lync.example.com", true)]
    [InlineData(".com.example.lync", "example.com", false)]
    [InlineData(".com.example.lync", "fe.lync.example.com", false)]
    [InlineData(".com.example.*", "", false)]
    public void A_domain_pattern_covers_its_domain_and_hosts_and_an_exact_one_its_host_only(string pattern, string host, bool matches)
        => Assert.Equal(matches, StaticRoutePattern.MatchLength(pattern, StaticRouteType.Domain, host) >= 0);

    [Fact]
    public void The_most_specific_pattern_matches_longest()
    {
        const string Host = "lync.sub.example.com";
        var domain = StaticRoutePattern.MatchLength(".com.example.*", StaticRouteType.Domain, Host);
        var subdomain = StaticRoutePattern.MatchLength(".com.example.sub.*", StaticRouteType.Domain, Host);
        var exact = StaticRoutePattern.MatchLength(".com.example.sub.lync", StaticRouteType.Domain, Host);
        var wildcardOfTheHost = StaticRoutePattern.MatchLength(".com.example.sub.lync.*", StaticRouteType.Domain, Host);

        Assert.True(domain >= 0);
        Assert.True(subdomain > domain);
        Assert.True(wildcardOfTheHost > subdomain);
        Assert.True(exact > wildcardOfTheHost, "an exact host beats the wildcard of the same name");
    }

    [Fact]
    public void User_patterns_match_a_prefix_or_the_whole_user_and_longer_prefixes_win()
    {
        Assert.Equal(-1, StaticRoutePattern.MatchLength("+1408*", StaticRouteType.User, "+1650555"));
        Assert.Equal(-1, StaticRoutePattern.MatchLength("alice", StaticRouteType.User, "alice2"));
        Assert.Equal(-1, StaticRoutePattern.MatchLength("alice", StaticRouteType.User, ""));
        var shortPrefix = StaticRoutePattern.MatchLength("+1*", StaticRouteType.User, "+14085551234");
        var longPrefix = StaticRoutePattern.MatchLength("+1408*", StaticRouteType.User, "+14085551234");
        var exact = StaticRoutePattern.MatchLength("+14085551234", StaticRouteType.User, "+14085551234");

        Assert.True(shortPrefix >= 0);
        Assert.True(longPrefix > shortPrefix);
        Assert.True(exact > longPrefix);
    }

    [Theory]
    [InlineData(".com.example.*", StaticRouteType.Domain, "example.com and every host under it")]
    [InlineData(".com.example.lync", StaticRouteType.Domain, "host lync.example.com only")]
    [InlineData("+1408*", StaticRouteType.User, "users starting with +1408")]
    [InlineData("alice", StaticRouteType.User, "user alice")]
    public void A_stored_pattern_is_described_forwards(string pattern, StaticRouteType type, string text)
        => Assert.Equal(text, StaticRoutePattern.Describe(pattern, type));
}
