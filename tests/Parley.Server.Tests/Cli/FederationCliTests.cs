using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Cli;
using Parley.Server.Management.Cms;
using Parley.Server.Storage;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Cli;

/// <summary><c>parley federation …</c> in process against a real store: every change goes through the CMS validation.</summary>
public sealed class FederationCliTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Data => _temp.Combine("data");

    private string DatabasePath => Path.Combine(Data, ParleyDatabase.FileName);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Routes_are_added_in_any_pattern_form_listed_by_pattern_and_priority_and_removed()
    {
        var added = await Ok("federation", "route", "add", "--pattern", "Partner.com", "--next-hop", "10.0.0.1", "--port", "5061", "--description", "lync1");
        Assert.Contains("static route .com.partner.* → 10.0.0.1:5061 priority 1 added (revision 1)", added.Output);
        await Ok("federation", "route", "add", "--pattern", ".com.partner.*", "--next-hop", "Lync2.partner.com", "--port", "5060", "--transport", "tcp", "--priority", "2");
        await Ok("federation", "route", "add", "--pattern", "+1408*", "--next-hop", "10.0.0.3", "--port", "5060", "--type", "user", "--flavour", "generic");

        var table = (await Ok("federation", "route", "list")).Output;
        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("PATTERN", lines[0]);
        Assert.StartsWith("+1408*", lines[1]);
        Assert.Contains("users starting with +1408", lines[1]);
        Assert.StartsWith(".com.partner.*", lines[2]);
        Assert.Contains("partner.com and every host under it", lines[2]);
        Assert.Contains("10.0.0.1:5061", lines[2]);
        Assert.StartsWith(" ", lines[3]);
        Assert.Contains("lync2.partner.com:5060", lines[3]);
        var json = JsonDocument.Parse((await Ok("federation", "route", "list", "--json")).Output).RootElement;
        Assert.Equal(3, json.GetArrayLength());
        Assert.Equal(2, json[2].GetProperty("priority").GetInt32());
        Assert.Equal("generic", json[0].GetProperty("flavour").GetString());

        await Ok("federation", "route", "remove", "--pattern", "*.partner.com", "--next-hop", "LYNC2.partner.com", "--port", "5060");
        var left = JsonDocument.Parse((await Ok("federation", "route", "list", "--json")).Output).RootElement;
        Assert.Equal(["+1408*", ".com.partner.*"], left.EnumerateArray().Select(r => r.GetProperty("pattern").GetString()!).ToArray());
        Assert.Contains("static route *.partner.com → lync2.partner.com:5060 removed", (await Ok("config", "history")).Output);
    }

    [Fact]
    public async Task A_route_with_a_taken_priority_is_refused_naming_the_field_and_nothing_changes()
    {
        await Ok("federation", "route", "add", "--pattern", "partner.com", "--next-hop", "10.0.0.1", "--port", "5061");
        var before = ConfigCliTests.WithoutEvents(CliRunner.Snapshot(DatabasePath));

        var result = await Run("federation", "route", "add", "--pattern", "partner.com", "--next-hop", "10.0.0.2", "--port", "5061");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("staticRoutes[1].priority", result.Error);
        Assert.Contains("use priority 2 for a backup", result.Error);
        Assert.Equal(before, ConfigCliTests.WithoutEvents(CliRunner.Snapshot(DatabasePath)));
    }

    [Fact]
    public async Task Bad_route_arguments_are_usage_errors_before_the_store_is_touched()
    {
        var type = await Run("federation", "route", "add", "--pattern", "partner.com", "--next-hop", "10.0.0.1", "--port", "5061", "--type", "1");
        var missing = await Run("federation", "route", "add", "--pattern", "partner.com", "--next-hop", "10.0.0.1");
        var absent = await Run("federation", "route", "remove", "--pattern", "partner.com", "--next-hop", "10.0.0.1", "--port", "5061");

        Assert.Equal(ExitCodes.Usage, type.ExitCode);
        Assert.Contains("--type: '1' is not one of domain, user", type.Error);
        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
        Assert.Contains("--port", missing.Error);
        Assert.Equal(ExitCodes.Usage, absent.ExitCode);
        Assert.Contains("there is no static route", absent.Error);
    }

    [Fact]
    public async Task Acl_entries_are_added_listed_and_removed_in_their_canonical_form()
    {
        await Ok("federation", "acl", "add", "ALL");
        await Ok("federation", "acl", "add", "Lync.Partner.com", "--description", "front end");
        await Ok("federation", "acl", "add", "2001:DB8::0001");

        var table = (await Ok("federation", "acl", "list")).Output;
        Assert.Contains("lync.partner.com", table);
        Assert.Contains("front end", table);
        await Ok("federation", "acl", "remove", "all");
        await Ok("federation", "acl", "remove", "2001:db8::1");
        var json = JsonDocument.Parse((await Ok("federation", "acl", "list", "--json")).Output).RootElement;
        Assert.Equal("lync.partner.com", json.EnumerateArray().Single().GetProperty("address").GetString());
        var absent = await Run("federation", "acl", "remove", "10.0.0.1");
        Assert.Equal(ExitCodes.Usage, absent.ExitCode);
        Assert.Contains("there is no ACL entry 10.0.0.1", absent.Error);
    }

    [Fact]
    public async Task An_invalid_acl_entry_is_refused_naming_the_field_and_nothing_changes()
    {
        await Ok("federation", "acl", "add", "10.0.0.0/24");
        var before = ConfigCliTests.WithoutEvents(CliRunner.Snapshot(DatabasePath));

        var result = await Run("federation", "acl", "add", "10.0.1.5/24");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("incomingAcl[1].address", result.Error);
        Assert.Contains("host bits", result.Error);
        Assert.Equal(before, ConfigCliTests.WithoutEvents(CliRunner.Snapshot(DatabasePath)));
    }

    [Fact]
    public async Task Peer_subjects_are_added_listed_and_removed_without_case()
    {
        await Ok("federation", "peer-subject", "add", "Lync.Partner.com", "--description", "Lync pool");
        var refused = await Run("federation", "peer-subject", "add", "CN=lync2.partner.com");
        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
        Assert.Contains("tlsPeerSubjects[1].subject", refused.Error);

        Assert.Contains("lync.partner.com", (await Ok("federation", "peer-subject", "list")).Output);
        await Ok("federation", "peer-subject", "remove", "LYNC.partner.com");
        Assert.Equal(0, JsonDocument.Parse((await Ok("federation", "peer-subject", "list", "--json")).Output).RootElement.GetArrayLength());
    }

    [Fact]
    public async Task A_sip_federation_domain_is_added_before_its_route_and_removed_after_it_as_the_seed_orders()
    {
        await Ok("federation", "domain", "add", "Remote.com", "--description", "via Lync");
        await Ok("federation", "route", "add", "--pattern", "remote.com", "--next-hop", "10.0.0.1", "--port", "5061");
        Assert.Contains("remote.com", (await Ok("federation", "domain", "list")).Output);

        await Ok("federation", "route", "remove", "--pattern", "remote.com", "--next-hop", "10.0.0.1", "--port", "5061");
        await Ok("federation", "domain", "remove", "remote.com");
        Assert.Equal(0, JsonDocument.Parse((await Ok("federation", "domain", "list", "--json")).Output).RootElement.GetArrayLength());
    }

    [Fact]
    public async Task A_hosted_domain_cannot_be_added_as_a_sip_federation_domain()
    {
        await Ok("domain", "add", "example.com");
        await Ok("federation", "route", "add", "--pattern", "example.com", "--next-hop", "10.0.0.1", "--port", "5061");

        var result = await Run("federation", "domain", "add", "example.com");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("example.com is a hosted domain", result.Error);
    }

    [Fact]
    public async Task Tls_listeners_are_set_changed_listed_and_removed()
    {
        await AddNodeAsync();
        await Ok("federation", "tls-listener", "set", "--node", "FE1.example.com", "--port", "5061", "--peer-auth", "--description", "peer");
        Assert.Contains("peer (mutual TLS)", (await Ok("federation", "tls-listener", "list")).Output);

        await Ok("federation", "tls-listener", "set", "--node", "fe1.example.com", "--port", "5061", "--server-auth");
        var json = JsonDocument.Parse((await Ok("federation", "tls-listener", "list", "--json")).Output).RootElement;
        Assert.False(json.EnumerateArray().Single().GetProperty("mutualTls").GetBoolean());

        await Ok("federation", "tls-listener", "remove", "--node", "fe1.example.com", "--port", "5061");
        Assert.Equal(0, JsonDocument.Parse((await Ok("federation", "tls-listener", "list", "--json")).Output).RootElement.GetArrayLength());
    }

    [Fact]
    public async Task A_tls_listener_on_a_port_the_node_uses_or_without_its_kind_is_refused()
    {
        await AddNodeAsync();

        var taken = await Run("federation", "tls-listener", "set", "--node", "fe1.example.com", "--port", "5222", "--peer-auth");
        var neither = await Run("federation", "tls-listener", "set", "--node", "fe1.example.com", "--port", "5061");
        var both = await Run("federation", "tls-listener", "set", "--node", "fe1.example.com", "--port", "5061", "--peer-auth", "--server-auth");

        Assert.Equal(ExitCodes.Usage, taken.ExitCode);
        Assert.Contains("tlsListeners[0].port", taken.Error);
        Assert.Contains("topology.nodes[0].listeners.xmpp", taken.Error);
        Assert.Equal(ExitCodes.Usage, neither.ExitCode);
        Assert.Equal(ExitCodes.Usage, both.ExitCode);
        Assert.Contains("exactly one of --peer-auth and --server-auth", both.Error);
    }

    [Fact]
    public async Task Set_changes_the_options_and_show_prints_every_document()
    {
        await AddNodeAsync();
        await Ok("federation", "set", "--enabled", "true", "--routing-mode", "Advanced", "--routing-node", "fe1.example.com");
        await Ok("federation", "route", "add", "--pattern", "partner.com", "--next-hop", "10.0.0.1", "--port", "5061");
        await Ok("federation", "route", "add", "--pattern", "partner.com", "--next-hop", "10.0.0.2", "--port", "5061", "--priority", "2");
        await Ok("federation", "acl", "add", "10.0.0.0/24");
        await Ok("federation", "tls-listener", "set", "--node", "fe1.example.com", "--port", "5061", "--peer-auth");
        await Ok("federation", "peer-subject", "add", "lync.partner.com");
        await Ok("federation", "domain", "add", "sub.partner.com");

        var show = (await Ok("federation", "show")).Output;
        Assert.Contains("enabled, advanced routing mode, routing node fe1.example.com", show);
        foreach (var expected in new[] { "Static routes:", "10.0.0.2:5061", "Incoming ACL:", "10.0.0.0/24", "TLS listeners:", "fe1.example.com", "TLS peer subjects:", "lync.partner.com", "SIP federation domains:", "sub.partner.com" })
        {
            Assert.Contains(expected, show);
        }

        var json = JsonDocument.Parse((await Ok("federation", "show", "--json")).Output).RootElement;
        Assert.True(json.GetProperty("federation").GetProperty("enabled").GetBoolean());
        Assert.Equal(2, json.GetProperty("staticRoutes").GetArrayLength());
        Assert.Equal("sub.partner.com", json.GetProperty("sipFederationDomains")[0].GetProperty("domain").GetString());

        await Ok("federation", "set", "--no-routing-node", "--enabled", "off");
        var cleared = JsonDocument.Parse((await Ok("federation", "show", "--json")).Output).RootElement.GetProperty("federation");
        Assert.False(cleared.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("routingNode").ValueKind);
        Assert.Equal("advanced", cleared.GetProperty("routingMode").GetString());
    }

    [Fact]
    public async Task Set_without_a_change_or_with_a_bad_value_is_a_usage_error()
    {
        var nothing = await Run("federation", "set");
        var mode = await Run("federation", "set", "--routing-mode", "smart");
        var unknownNode = await Run("federation", "set", "--routing-node", "nowhere.example.com");

        Assert.Equal(ExitCodes.Usage, nothing.ExitCode);
        Assert.Contains("nothing to change", nothing.Error);
        Assert.Equal(ExitCodes.Usage, mode.ExitCode);
        Assert.Contains("basic, advanced", mode.Error);
        Assert.Equal(ExitCodes.Usage, unknownNode.ExitCode);
        Assert.Contains("federation.routingNode", unknownNode.Error);
    }

    [Fact]
    public async Task Show_of_an_empty_deployment_says_none_and_creates_nothing()
    {
        var missing = await Run("federation", "show");
        Assert.NotEqual(ExitCodes.Ok, missing.ExitCode);
        Assert.False(System.IO.Directory.Exists(Data));

        await Ok("federation", "acl", "add", "all");
        var show = (await Ok("federation", "show")).Output;
        Assert.Contains("disabled", show);
        Assert.Contains("(none)", show);
    }

    [Fact]
    public async Task Changes_on_a_replica_are_refused_with_the_master_named()
    {
        await using (var node = new ParleyStore(TestStore.Options(Data) with { Cms = CmsOptions.ReplicaOf("cms1.example.com") }, TimeProvider.System, NullLoggerFactory.Instance))
        {
            await node.StartAsync(CancellationToken.None);
        }

        var result = await Run("federation", "acl", "add", "all");

        Assert.Equal(ExitCodes.NotMaster, result.ExitCode);
        Assert.Contains("cms1.example.com", result.Error);
    }

    [Theory]
    [InlineData("federation")]
    [InlineData("federation", "route", "add")]
    [InlineData("federation", "acl")]
    [InlineData("federation", "tls-listener", "set")]
    [InlineData("federation", "peer-subject", "add")]
    [InlineData("federation", "domain", "remove")]
    [InlineData("federation", "show")]
    public async Task Help_describes_each_command(params string[] command)
    {
        var result = await CliRunner.RunAsync(_temp.Path, [.. command, "--help"]);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("Usage:", result.Output);
        Assert.Contains("--data", result.Output);
    }

    private async Task AddNodeAsync()
    {
        await Ok("topology", "site", "add", "hq");
        await Ok("topology", "pool", "add", "pool1.example.com", "--site", "hq");
        await Ok("topology", "node", "add", "--fqdn", "fe1.example.com", "--ip", "127.0.0.11", "--pool", "pool1.example.com", "--roles", "frontend,cms");
    }

    private Task<CliResult> Run(params string[] args) => CliRunner.RunAsync(_temp.Path, [.. args, "--data", Data]);

    private async Task<CliResult> Ok(params string[] args)
    {
        var result = await Run(args);
        Assert.True(result.ExitCode == ExitCodes.Ok, $"parley {string.Join(' ', args)} exited {result.ExitCode}: {result.Error}");
        return result;
    }
}
