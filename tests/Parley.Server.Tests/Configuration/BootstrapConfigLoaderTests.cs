using System.Net;
using Parley.Server.Configuration;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Configuration;

public sealed class BootstrapConfigLoaderTests
{
    private static readonly BootstrapOverrides NoOverrides = new();

    [Fact]
    public void Without_a_file_defaults_give_a_single_node_for_example_com()
    {
        using var temp = new TempDirectory();
        var options = new BootstrapConfigLoader(temp.Path, "buildbox").Load(null, NoOverrides);

        Assert.Equal("parley.example.com", options.Fqdn);
        Assert.Equal(NodeRole.All, options.Roles);
        Assert.Equal(Path.Combine(temp.Path, "data"), options.DataDirectory);
        Assert.Equal("example.com", options.InitialDomain);
        Assert.Equal(IPAddress.Any, options.BindAddress);
        Assert.Equal(5222, options.XmppPort);
        Assert.Equal(8443, options.AdminPort);
        Assert.True(options.RequireTls);
        Assert.Null(options.CertificatePath);
    }

    [Fact]
    public void A_fully_qualified_host_name_is_the_default_fqdn()
    {
        using var temp = new TempDirectory();
        var options = new BootstrapConfigLoader(temp.Path, "Node1.Corp.Example").Load(null, NoOverrides);
        Assert.Equal("node1.corp.example", options.Fqdn);
    }

    [Fact]
    public void A_complete_file_is_read_with_paths_relative_to_it_and_overrides_win()
    {
        using var temp = new TempDirectory();
        var file = Write(temp, """
            {
              // comments are allowed
              "fqdn": "parley1.example.com",
              "roles": ["frontend", "cms"],
              "dataDirectory": "state",
              "bindAddress": "127.0.0.2",
              "listeners": { "xmpp": 5223, "admin": 0 },
              "certificates": { "certificate": "tls/node.pem", "privateKey": "tls/node.key" },
              "requireTls": false,
              "initialDomain": "corp.example",
            }
            """);

        var fromFile = new BootstrapConfigLoader(temp.Path, "host").Load(file, NoOverrides);
        var overridden = new BootstrapConfigLoader(temp.Path, "host").Load(file, new BootstrapOverrides { XmppPort = 6222, BindAddress = "127.0.0.3", DataDirectory = "other" });

        Assert.Equal("parley1.example.com", fromFile.Fqdn);
        Assert.Equal(NodeRole.Frontend | NodeRole.Cms, fromFile.Roles);
        Assert.Equal(Path.Combine(temp.Path, "state"), fromFile.DataDirectory);
        Assert.Equal(IPAddress.Parse("127.0.0.2"), fromFile.BindAddress);
        Assert.Equal(5223, fromFile.XmppPort);
        Assert.Equal(0, fromFile.AdminPort);
        Assert.Equal(Path.Combine(temp.Path, "tls", "node.pem"), fromFile.CertificatePath);
        Assert.Equal(Path.Combine(temp.Path, "tls", "node.key"), fromFile.PrivateKeyPath);
        Assert.False(fromFile.RequireTls);
        Assert.Equal("corp.example", fromFile.InitialDomain);
        Assert.Equal(file, fromFile.Source);
        Assert.Equal(6222, overridden.XmppPort);
        Assert.Equal(IPAddress.Parse("127.0.0.3"), overridden.BindAddress);
        Assert.Equal(Path.Combine(temp.Path, "other"), overridden.DataDirectory);
    }

    [Theory]
    [InlineData("""{ "listeners": { "xmpp": 70000 } }""", "listeners.xmpp: 70000 is not a port (1-65535). Fix: set a free TCP port, default 5222.")]
    [InlineData("""{ "listeners": { "xmpp": "5222" } }""", "listeners.xmpp: is a string but must be a whole number.")]
    [InlineData("""{ "dataDirectroy": "/var/lib/parley" }""", "dataDirectroy: unknown key. Fix: did you mean \"dataDirectory\"?")]
    [InlineData("""{ "listeners": { "xmmp": 5222 } }""", "listeners.xmmp: unknown key. Fix: did you mean \"xmpp\"?")]
    [InlineData("""{ "FQDN": "a.example.com" }""", "FQDN: unknown key. Fix: did you mean \"fqdn\"?")]
    [InlineData("""{ "roles": ["frontend", "edgy"] }""", "roles[1]: \"edgy\" is not a role. Fix: use frontend, routing, edge or cms (did you mean \"edge\"?).")]
    [InlineData("""{ "roles": [] }""", "roles: is empty")]
    [InlineData("""{ "bindAddress": "localhost" }""", "bindAddress: \"localhost\" is not an IP address.")]
    [InlineData("""{ "requireTls": "yes" }""", "requireTls: is a string but must be true or false.")]
    [InlineData("""{ "certificates": { "certificate": "a.pem" } }""", "certificates.privateKey: is missing")]
    [InlineData("""{ "initialDomain": "bad domain" }""", "initialDomain: \"bad domain\" is not a valid domain name")]
    [InlineData("""{ "listeners": { "xmpp": 5222, "admin": 5222 } }""", "listeners.admin: the admin port 5222 is the same as the XMPP port.")]
    [InlineData("""[1, 2]""", "the file holds a JSON an array, not an object.")]
    public void Invalid_values_name_file_key_and_fix(string json, string expected)
    {
        using var temp = new TempDirectory();
        var file = Write(temp, json);

        var error = Assert.Throws<ConfigurationException>(() => new BootstrapConfigLoader(temp.Path, "host").Load(file, NoOverrides));

        Assert.StartsWith(file + ": ", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.Contains("Fix:", error.Message);
    }

    [Fact]
    public void Json_syntax_errors_give_line_and_column()
    {
        using var temp = new TempDirectory();
        var file = Write(temp, "{\n  \"fqdn\": \"a.example.com\"\n  \"roles\": []\n}");

        var error = Assert.Throws<ConfigurationException>(() => new BootstrapConfigLoader(temp.Path, "host").Load(file, NoOverrides));

        Assert.Equal("line 3, column 3", error.Key);
        Assert.Contains("invalid JSON", error.Message);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        using var temp = new TempDirectory();
        var error = Assert.Throws<ConfigurationException>(() => new BootstrapConfigLoader(temp.Path, "host").Load("nope.json", NoOverrides));
        Assert.StartsWith("nope.json: the file does not exist", error.Message);
        Assert.Contains("Fix:", error.Message);
    }

    [Theory]
    [InlineData("--xmpp-port", 0)]
    [InlineData("--admin-port", 65536)]
    public void Bad_command_line_ports_name_the_option(string option, int port)
    {
        using var temp = new TempDirectory();
        var overrides = option == "--xmpp-port" ? new BootstrapOverrides { XmppPort = port } : new BootstrapOverrides { AdminPort = port };
        var error = Assert.Throws<ConfigurationException>(() => new BootstrapConfigLoader(temp.Path, "host").Load(null, overrides));
        Assert.StartsWith($"command line: {option}: {port} is not a port", error.Message);
    }

    [Fact]
    public void Domain_override_sets_the_default_fqdn()
    {
        using var temp = new TempDirectory();
        var options = new BootstrapConfigLoader(temp.Path, "host").Load(null, new BootstrapOverrides { Domain = "corp.example" });
        Assert.Equal("corp.example", options.InitialDomain);
        Assert.Equal("parley.corp.example", options.Fqdn);
    }

    private static string Write(TempDirectory temp, string json)
    {
        var path = temp.Combine("parley.json");
        File.WriteAllText(path, json);
        return path;
    }
}
