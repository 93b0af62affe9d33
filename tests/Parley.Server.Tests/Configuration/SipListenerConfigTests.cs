using Parley.Server.Configuration;
using Parley.Server.Sip;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Configuration;

/// <summary>The SIP listener keys of the bootstrap file (listeners.sip, listeners.sipTls) and their command-line overrides.</summary>
public sealed class SipListenerConfigTests
{
    [Fact]
    public void Sip_listens_on_5060_and_5062_by_default()
    {
        using var temp = new TempDirectory();

        var options = new BootstrapConfigLoader(temp.Path, "host").Load(null, new BootstrapOverrides());

        Assert.Equal((5060, 5062), (options.Sip.Port, options.Sip.TlsPort));
    }

    [Fact]
    public void The_file_sets_the_sip_ports_and_the_command_line_wins_with_zero_disabling()
    {
        using var temp = new TempDirectory();
        var file = temp.Combine("parley.json");
        File.WriteAllText(file, """{ "listeners": { "sip": 5070, "sipTls": 5072 } }""");
        var loader = new BootstrapConfigLoader(temp.Path, "host");

        var fromFile = loader.Load(file, new BootstrapOverrides());
        var overridden = loader.Load(file, new BootstrapOverrides { SipPort = 0, SipsPort = 6000 });

        Assert.Equal((5070, 5072), (fromFile.Sip.Port, fromFile.Sip.TlsPort));
        Assert.Equal((0, 6000), (overridden.Sip.Port, overridden.Sip.TlsPort));
    }

    [Theory]
    [InlineData("""{ "listeners": { "sip": 70000 } }""", "listeners.sip: 70000 is not a port (0 to disable, or 1-65535).")]
    [InlineData("""{ "listeners": { "sipTls": "5062" } }""", "listeners.sipTls: is a string but must be a whole number.")]
    [InlineData("""{ "listeners": { "sipTLS": 5062 } }""", "listeners.sipTLS: unknown key. Fix: did you mean \"sipTls\"?")]
    [InlineData("""{ "listeners": { "xmpp": 5060 } }""", "listeners.sip: port 5060 is already used by listeners.xmpp.")]
    [InlineData("""{ "listeners": { "sip": 5070, "sipTls": 5070 } }""", "listeners.sipTls: port 5070 is already used by listeners.sip.")]
    public void Invalid_sip_listeners_name_the_key_and_the_fix(string json, string expected)
    {
        using var temp = new TempDirectory();
        var file = temp.Combine("parley.json");
        File.WriteAllText(file, json);

        var error = Assert.Throws<ConfigurationException>(() => new BootstrapConfigLoader(temp.Path, "host").Load(file, new BootstrapOverrides()));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("Fix:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sip_options_refuse_impossible_values()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipServerOptions { MinExpires = TimeSpan.FromMinutes(10), MaxExpires = TimeSpan.FromMinutes(5) }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipServerOptions { Port = 70000 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipServerOptions { Port = 5070, TlsPort = 5070 }.Validate());
        new SipServerOptions().Validate();
    }
}
