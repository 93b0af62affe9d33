using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Cli;
using Parley.Server.Management.Cms;
using Parley.Server.Storage;
using Parley.Server.Tests.Management;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Cli;

/// <summary><c>parley config …</c> and <c>parley topology …</c> against a real store.</summary>
public sealed class ConfigCliTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Data => _temp.Combine("data");

    private string DatabasePath => Path.Combine(Data, ParleyDatabase.FileName);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Topology_is_built_with_site_pool_and_node_commands_and_shown()
    {
        await Ok("topology", "site", "add", "hq", "--description", "Head office", "--data", Data);
        await Ok("topology", "pool", "add", "Pool1.example.com", "--site", "hq", "--data", Data);
        await Ok("topology", "node", "add", "--fqdn", "cms.example.com", "--ip", "127.0.0.10", "--pool", "pool1.example.com", "--roles", "frontend,cms", "--data", Data);
        var added = await Ok("topology", "node", "add", "--fqdn", "fe1.example.com", "--ip", "127.0.0.11", "--pool", "pool1.example.com", "--replica-port", "4444", "--data", Data);
        Assert.Contains("node fe1.example.com added (revision 4)", added.Output);

        var table = await Ok("topology", "show", "--data", Data);
        Assert.Contains("cms.example.com", table.Output);
        Assert.Contains("frontend,cms", table.Output);
        Assert.Contains("replica:4444", table.Output);
        var json = JsonDocument.Parse((await Ok("topology", "show", "--json", "--data", Data)).Output).RootElement;
        Assert.Equal("pool1.example.com", json.GetProperty("pools")[0].GetProperty("fqdn").GetString());
        Assert.Equal(2, json.GetProperty("nodes").GetArrayLength());

        await Ok("topology", "node", "remove", "FE1.example.com", "--data", Data);
        Assert.DoesNotContain("fe1.example.com", (await Ok("topology", "show", "--data", Data)).Output);
    }

    [Fact]
    public async Task An_invalid_node_is_refused_naming_the_field_and_nothing_changes()
    {
        await Ok("topology", "site", "add", "hq", "--data", Data);
        await Ok("topology", "pool", "add", "pool1.example.com", "--site", "hq", "--data", Data);
        var before = WithoutEvents(CliRunner.Snapshot(DatabasePath));

        var result = await CliRunner.RunAsync(_temp.Path, "topology", "node", "add", "--fqdn", "fe1.example.com", "--ip", "10.0.0", "--pool", "pool2.example.com",
            "--sip-port", "5222", "--data", Data);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("topology.nodes[0].ip", result.Error);
        Assert.Contains("topology.nodes[0].pool", result.Error);
        Assert.Contains("topology.nodes[0].listeners.sip", result.Error);
        Assert.Contains("Fix:", result.Error);
        Assert.Equal(before, WithoutEvents(CliRunner.Snapshot(DatabasePath)));
    }

    [Fact]
    public async Task Removing_a_pool_still_used_by_a_node_is_refused()
    {
        await Ok("topology", "site", "add", "hq", "--data", Data);
        await Ok("topology", "pool", "add", "pool1.example.com", "--site", "hq", "--data", Data);
        await Ok("topology", "node", "add", "--fqdn", "fe1.example.com", "--ip", "127.0.0.11", "--pool", "pool1.example.com", "--data", Data);

        var result = await CliRunner.RunAsync(_temp.Path, "topology", "pool", "remove", "pool1.example.com", "--data", Data);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("topology.nodes[0].pool", result.Error);
    }

    [Fact]
    public async Task Config_set_replaces_a_document_from_a_file_and_show_prints_it()
    {
        await Ok("domain", "add", "example.com", "--data", Data);
        File.WriteAllText(_temp.Combine("acl.json"), """[{"address":"192.0.2.0/24","description":"partner"},{"address":"2001:DB8::1"}]""");

        var set = await Ok("config", "set", "incomingAcl", "acl.json", "--data", Data);
        Assert.Contains("Document incomingAcl replaced (revision 2)", set.Output);

        var shown = JsonDocument.Parse((await Ok("config", "show", "incomingAcl", "--data", Data)).Output).RootElement;
        Assert.Equal("2001:db8::1", shown[1].GetProperty("address").GetString());
        var summary = await Ok("config", "show", "--data", Data);
        Assert.Contains("Configuration revision 2 (this node is the CMS master)", summary.Output);
        Assert.Contains("incomingAcl", summary.Output);
        Assert.Contains("2 entries", summary.Output);
        var all = JsonDocument.Parse((await Ok("config", "show", "--json", "--data", Data)).Output).RootElement;
        Assert.Equal("example.com", all.GetProperty("documents").GetProperty("domains")[0].GetString());

        var again = await Ok("config", "set", "incomingAcl", "acl.json", "--data", Data);
        Assert.Contains("unchanged (revision 2)", again.Output);

        var history = await Ok("config", "history", "--data", Data);
        Assert.Contains("incomingAcl replaced", history.Output);
        Assert.Contains("domain example.com added", history.Output);
    }

    [Fact]
    public async Task Config_set_with_bad_json_names_the_field_and_creates_nothing()
    {
        File.WriteAllText(_temp.Combine("routes.json"), """[{"pattern":"partner.net","nextHop":"10.0.0.1","port":"5061"}]""");

        var result = await CliRunner.RunAsync(_temp.Path, "config", "set", "staticRoutes", "routes.json", "--data", Data);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("staticRoutes[0].port", result.Error);
        Assert.False(System.IO.Directory.Exists(Data));
    }

    [Fact]
    public async Task Config_set_reads_standard_input_and_validates_the_whole_configuration()
    {
        await Ok("domain", "add", "example.com", "--data", Data);

        var result = await CliRunner.RunWithInputAsync(_temp.Path, """[{"node":"fe9.example.com","port":5063,"mutualTls":true}]""",
            "config", "set", "tlsListeners", "-", "--data", Data);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("tlsListeners[0].node", result.Error);
        Assert.Contains("parley topology node add", result.Error);
    }

    [Fact]
    public async Task Changes_on_a_replica_data_directory_are_refused_with_the_master_named()
    {
        await using (var node = new ParleyStore(TestStore.Options(Data) with { Cms = CmsOptions.ReplicaOf("cms1.example.com") }, TimeProvider.System, NullLoggerFactory.Instance))
        {
            await node.StartAsync(CancellationToken.None);
        }

        foreach (var args in new[]
        {
            new[] { "domain", "add", "example.com" },
            ["topology", "site", "add", "hq"],
            ["settings", "presence", "set", "--max-watchers", "5"],
        })
        {
            var result = await CliRunner.RunAsync(_temp.Path, [.. args, "--data", Data]);
            Assert.Equal(ExitCodes.NotMaster, result.ExitCode);
            Assert.Contains("cms1.example.com", result.Error);
        }

        Assert.Contains("read-only replica; the CMS master is cms1.example.com", (await Ok("config", "show", "--data", Data)).Output);
        await using var store = await TestStore.OpenAsync(Data);
        Assert.Empty(await store.Cms.ListChangesAsync(10, CancellationToken.None));
        Assert.Empty(await store.Users.ListDomainsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Unknown_document_names_are_usage_errors()
    {
        var result = await CliRunner.RunAsync(_temp.Path, "config", "show", "routes", "--data", Data);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("staticRoutes", result.Error);
    }

    /// <summary>The refusal itself is stored as an event (and moves the events sequence); everything else must be as before.</summary>
    internal static string WithoutEvents(string snapshot)
    {
        var kept = new System.Text.StringBuilder();
        var skipping = false;
        foreach (var line in snapshot.Split('\n'))
        {
            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                skipping = line is "[events]" or "[sqlite_sequence]";
            }

            if (!skipping)
            {
                kept.Append(line).Append('\n');
            }
        }

        return kept.ToString();
    }

    private async Task<CliResult> Ok(params string[] args)
    {
        var result = await CliRunner.RunAsync(_temp.Path, args);
        Assert.True(result.ExitCode == ExitCodes.Ok, $"parley {string.Join(' ', args)} exited {result.ExitCode}: {result.Error}");
        return result;
    }
}
