using System.CommandLine;
using System.Text.Json;
using Parley.Cli;
using Parley.Cli.Commands;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Federation.Outbound;

/// <summary><c>parley federation peer-address add|remove|import|list</c> against a real store.</summary>
public sealed class PeerAddressCliTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Data => _temp.Combine("data");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Addresses_are_added_listed_and_removed()
    {
        await Parley.Server.Tests.Cli.CliRunner.RunAsync(_temp.Path, "domain", "add", "example.com", "--data", Data);

        var added = await RunAsync("add", "sip:Bob@example.com", "carol@example.com", "--data", Data);
        Assert.Equal(ExitCodes.Ok, added.Code);
        Assert.Contains("2 peer address(es) added", added.Output, StringComparison.Ordinal);

        var json = await RunAsync("list", "--json", "--data", Data);
        var listed = JsonSerializer.Deserialize<string[]>(json.Output)!;
        Assert.Equal(["sip:bob@example.com", "sip:carol@example.com"], listed); // stored as JIDs (RFC 7247): the local part case-folded

        Assert.Equal(ExitCodes.Ok, (await RunAsync("remove", "sip:carol@example.com", "--data", Data)).Code);
        var again = await RunAsync("remove", "sip:carol@example.com", "--data", Data);
        Assert.Equal(ExitCodes.Refused, again.Code);
        Assert.Contains("is not listed", again.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_is_all_or_nothing_and_names_the_bad_line()
    {
        await Parley.Server.Tests.Cli.CliRunner.RunAsync(_temp.Path, "domain", "add", "example.com", "--data", Data);
        var file = _temp.Combine("peers.txt");
        await File.WriteAllLinesAsync(file, ["# Lync users", "sip:dave@example.com", "", "not an address@"]);

        var bad = await RunAsync("import", file, "--data", Data);

        Assert.Equal(ExitCodes.Usage, bad.Code);
        Assert.Contains("line 4", bad.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("dave", (await RunAsync("list", "--data", Data)).Output, StringComparison.Ordinal);

        await File.WriteAllLinesAsync(file, ["# Lync users", "sip:dave@example.com", "", "sip:erin@example.com"]);
        var good = await RunAsync("import", file, "--data", Data);
        Assert.Equal(ExitCodes.Ok, good.Code);
        Assert.Contains("2 address(es) read: 2 added", good.Output, StringComparison.Ordinal);
    }

    private async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var context = new CliContext(new StringReader(string.Empty), output, error, _temp.Path, TimeProvider.System);
        var common = new CommonOptions();
        var root = new RootCommand { FederationPeerAddressCommands.Create(context, common) };
        root.Options.Add(common.Data);
        var code = await root.Parse(["peer-address", .. args]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        return (code, output.ToString(), error.ToString());
    }
}
