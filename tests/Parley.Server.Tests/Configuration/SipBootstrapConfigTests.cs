using Parley.Server.Configuration;
using Parley.Server.Sip;
using Parley.Server.Tests.Support;
using Parley.Sip.Authentication;

namespace Parley.Server.Tests.Configuration;

/// <summary>The bootstrap file's sip section: the digest algorithms challenges offer, the overload limits, and their validation.</summary>
public sealed class SipBootstrapConfigTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Md5_alone_is_offered_by_default_for_the_clients_deployed()
    {
        var options = new BootstrapConfigLoader(_temp.Path, "host").Load(null, new BootstrapOverrides());

        Assert.Equal([DigestAlgorithm.Md5], options.Sip.DigestAlgorithms);
        Assert.Equal([DigestAlgorithm.Md5], new SipServerOptions().DigestAlgorithms);
    }

    [Theory]
    [InlineData("""["SHA-256", "MD5"]""", new[] { DigestAlgorithm.Sha256, DigestAlgorithm.Md5 })]
    [InlineData("""["md5", "sha-256"]""", new[] { DigestAlgorithm.Md5, DigestAlgorithm.Sha256 })]
    [InlineData("""["SHA-256"]""", new[] { DigestAlgorithm.Sha256 })]
    public void The_file_sets_the_algorithms_in_the_order_offered(string list, DigestAlgorithm[] expected)
    {
        var options = Load($$"""{ "sip": { "digestAlgorithms": {{list}} }, "listeners": { "sip": 5070 } }""");

        Assert.Equal(expected, options.Sip.DigestAlgorithms);
        Assert.Equal(5070, options.Sip.Port);
        options.Sip.Validate();
    }

    [Theory]
    [InlineData("""{ "sip": { "digestAlgorithms": [] } }""", "sip.digestAlgorithms: is empty; SIP clients could not authenticate.")]
    [InlineData("""{ "sip": { "digestAlgorithms": "MD5" } }""", "sip.digestAlgorithms: is a string but must be an array of algorithm names.")]
    [InlineData("""{ "sip": { "digestAlgorithms": ["MD5", "SHA-1"] } }""", "sip.digestAlgorithms[1]: \"SHA-1\" is not a digest algorithm Parley offers.")]
    [InlineData("""{ "sip": { "digestAlgorithms": ["MD5-sess"] } }""", "sip.digestAlgorithms[0]: \"MD5-sess\" is not a digest algorithm Parley offers.")]
    [InlineData("""{ "sip": { "digestAlgorithms": ["MD5", "md5"] } }""", "sip.digestAlgorithms[1]: \"md5\" is listed twice.")]
    [InlineData("""{ "sip": { "digestAlgorithms": [256] } }""", "sip.digestAlgorithms[0]: is a number but must be a string.")]
    [InlineData("""{ "sip": { "digestAlgorithm": ["MD5"] } }""", "sip.digestAlgorithm: unknown key. Fix: did you mean \"digestAlgorithms\"?")]
    [InlineData("""{ "sip": ["MD5"] }""", "sip: is an array but must be an object.")]
    public void Invalid_algorithm_lists_name_the_file_the_key_and_the_fix(string json, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => Load(json));

        Assert.StartsWith(_temp.Combine("parley.json") + ": ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("Fix:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_file_sets_the_overload_limits()
    {
        var defaults = new BootstrapConfigLoader(_temp.Path, "host").Load(null, new BootstrapOverrides()).Sip;
        var options = Load("""{ "sip": { "maxConcurrentRequests": 500, "inDialogReserve": 0 } }""").Sip;

        Assert.Equal((2048, 2048), (defaults.MaxConcurrentRequests, defaults.InDialogReserve));
        Assert.Equal((500, 0), (options.MaxConcurrentRequests, options.InDialogReserve));
    }

    [Theory]
    [InlineData("""{ "sip": { "maxConcurrentRequests": 0 } }""", "sip.maxConcurrentRequests: 0 is out of range. Fix: give a whole number from 1 to 1,000,000")]
    [InlineData("""{ "sip": { "maxConcurrentRequests": "2048" } }""", "sip.maxConcurrentRequests: is a string but must be a whole number.")]
    [InlineData("""{ "sip": { "inDialogReserve": -1 } }""", "sip.inDialogReserve: -1 is out of range. Fix: give a whole number from 0 to 1,000,000")]
    [InlineData("""{ "sip": { "inDialogReserve": 1.5 } }""", "sip.inDialogReserve: is a number but must be a whole number.")]
    public void Invalid_overload_limits_name_the_file_the_key_and_the_fix(string json, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => Load(json));

        Assert.StartsWith(_temp.Combine("parley.json") + ": ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sip_options_refuse_an_empty_a_repeated_or_a_session_algorithm()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipServerOptions { DigestAlgorithms = [] }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipServerOptions { DigestAlgorithms = [DigestAlgorithm.Md5, DigestAlgorithm.Md5] }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipServerOptions { DigestAlgorithms = [DigestAlgorithm.Sha256Sess] }.Validate());
        new SipServerOptions { DigestAlgorithms = [DigestAlgorithm.Sha256, DigestAlgorithm.Md5] }.Validate();
    }

    private NodeOptions Load(string json)
    {
        var file = _temp.Combine("parley.json");
        File.WriteAllText(file, json);
        return new BootstrapConfigLoader(_temp.Path, "host").Load(file, new BootstrapOverrides());
    }
}
