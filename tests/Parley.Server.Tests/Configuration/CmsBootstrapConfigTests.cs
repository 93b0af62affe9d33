using Parley.Server.Configuration;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Configuration;

/// <summary>The replication keys of the bootstrap file: cms.master, cms.caCertificate, cms.fileShare, listeners.replicaAgent (and --replica-port).</summary>
public sealed class CmsBootstrapConfigTests
{
    [Fact]
    public void Without_cms_keys_the_node_is_the_master_and_does_not_listen_for_replication()
    {
        using var temp = new TempDirectory();

        var options = new BootstrapConfigLoader(temp.Path, "host").Load(null, new BootstrapOverrides());

        Assert.True(options.IsCmsMaster);
        Assert.Null(options.CmsMaster);
        Assert.Null(options.CmsCaCertificatePath);
        Assert.Null(options.CmsFileShare);
        Assert.Equal(0, options.ReplicaAgentPort);
    }

    [Fact]
    public void A_replica_reads_master_ca_and_share_relative_to_the_file_and_listens_on_4443_by_default()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("ca.pem"), "placeholder");
        System.IO.Directory.CreateDirectory(temp.Combine("share"));
        var file = Write(temp, """{ "fqdn": "fe2.example.com", "cms": { "master": "CMS1.example.com", "caCertificate": "ca.pem", "fileShare": "share" } }""");

        var options = new BootstrapConfigLoader(temp.Path, "host").Load(file, new BootstrapOverrides());

        Assert.False(options.IsCmsMaster);
        Assert.Equal("cms1.example.com", options.CmsMaster);
        Assert.Equal(temp.Combine("ca.pem"), options.CmsCaCertificatePath);
        Assert.Equal(temp.Combine("share"), options.CmsFileShare);
        Assert.Equal(4443, options.ReplicaAgentPort);
    }

    [Fact]
    public void The_file_sets_the_replica_agent_port_and_the_command_line_wins()
    {
        using var temp = new TempDirectory();
        var file = Write(temp, """{ "listeners": { "replicaAgent": 14443 } }""");
        var loader = new BootstrapConfigLoader(temp.Path, "host");

        Assert.Equal(14443, loader.Load(file, new BootstrapOverrides()).ReplicaAgentPort);
        Assert.Equal(0, loader.Load(file, new BootstrapOverrides { ReplicaAgentPort = 0 }).ReplicaAgentPort);
        Assert.Equal(15443, loader.Load(null, new BootstrapOverrides { ReplicaAgentPort = 15443 }).ReplicaAgentPort);
    }

    [Theory]
    [InlineData("""{ "cms": { "master": "not a host" } }""", "cms.master: \"not a host\" is not a valid domain name")]
    [InlineData("""{ "cms": { "master": 5 } }""", "cms.master: is a number but must be a string.")]
    [InlineData("""{ "fqdn": "cms1.example.com", "cms": { "master": "cms1.example.com" } }""", "cms.master: names this node (cms1.example.com)")]
    [InlineData("""{ "cms": { "caCertificate": "missing.pem" } }""", "cms.caCertificate: the file")]
    [InlineData("""{ "cms": { "caCertificate": "" } }""", "cms.caCertificate: is empty.")]
    [InlineData("""{ "cms": { "fileShare": "no-such-dir" } }""", "cms.fileShare: the directory")]
    [InlineData("""{ "cms": { "mastre": "a.example.com" } }""", "cms.mastre: unknown key. Fix: did you mean \"master\"?")]
    [InlineData("""{ "cms": "cms1.example.com" }""", "cms: is a string but must be an object.")]
    [InlineData("""{ "listeners": { "replicaAgent": 70000 } }""", "listeners.replicaAgent: 70000 is not a port (0 to disable, or 1-65535).")]
    [InlineData("""{ "listeners": { "replicaAgent": 8443 } }""", "listeners.replicaAgent: port 8443 is already used by listeners.admin.")]
    [InlineData("""{ "listeners": { "replicaAgnet": 4443 } }""", "listeners.replicaAgnet: unknown key. Fix: did you mean \"replicaAgent\"?")]
    public void Invalid_cms_values_name_file_key_and_fix(string json, string expected)
    {
        using var temp = new TempDirectory();
        var file = Write(temp, json);

        var error = Assert.Throws<ConfigurationException>(() => new BootstrapConfigLoader(temp.Path, "host").Load(file, new BootstrapOverrides()));

        Assert.StartsWith(file + ": ", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.Contains("Fix:", error.Message);
    }

    [Fact]
    public void A_bad_replica_port_option_names_the_option()
    {
        using var temp = new TempDirectory();

        var error = Assert.Throws<ConfigurationException>(() => new BootstrapConfigLoader(temp.Path, "host").Load(null, new BootstrapOverrides { ReplicaAgentPort = 65536 }));

        Assert.StartsWith("command line: --replica-port: 65536 is not a port", error.Message);
    }

    private static string Write(TempDirectory temp, string json)
    {
        var path = temp.Combine("parley.json");
        File.WriteAllText(path, json);
        return path;
    }
}
