using Parley.Interop.Tests.Harness;
using Parley.Interop.Tests.Hostile;

namespace Parley.Interop.Tests.Cli;

/// <summary>The admin CLI through the real binary: clear failures that change nothing, and live changes.</summary>
public sealed class CliEndToEndTests(ParleyServerFixture fixture, ITestOutputHelper output) : IClassFixture<ParleyServerFixture>
{
    private ParleyProcess Server => fixture.Server;

    [Theory]
    [InlineData("user", "disable")]
    [InlineData("user", "enable")]
    [InlineData("user", "remove")]
    public async Task Unknown_user_is_refused_clearly_and_changes_nothing(string noun, string verb)
    {
        var before = await SnapshotAsync();
        var result = (await Server.RunCliAsync(noun, verb, "nobody-here@example.com")).ShouldFailClearly();
        output.WriteLine(result.ToString());
        Assert.Contains("nobody-here@example.com", result.StandardError, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Theory]
    [InlineData("not a jid")]
    [InlineData("@example.com")]
    [InlineData("alice@")]
    [InlineData("alice@example.com/resource")]
    [InlineData("alice@@example.com")]
    [InlineData("alice@not-hosted.example.org")]
    public async Task Bad_jid_is_refused_clearly_and_changes_nothing(string jid)
    {
        var before = await SnapshotAsync();
        var result = (await Server.RunCliAsync("user", "add", jid, "--password", "secret")).ShouldFailClearly();
        output.WriteLine(result.ToString());
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Missing_password_is_refused_clearly_and_creates_no_user()
    {
        var before = await SnapshotAsync();
        var result = (await Server.RunCliAsync("user", "add", "nopass@example.com")).ShouldFailClearly();
        output.WriteLine(result.ToString());
        Assert.Contains("password", result.StandardError, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Adding_an_existing_user_is_refused_and_keeps_the_old_password()
    {
        var (jid, password) = await Server.CreateUserAsync("dup");
        var before = await SnapshotAsync();
        (await Server.RunCliAsync("user", "add", jid, "--password", "other")).ShouldFailClearly();
        Assert.Equal(before, await SnapshotAsync());
        await using var client = await RawXmppClient.LoginAsync(ParleyProcess.Host, Server.XmppPort, Server.CaPath, jid, password);
    }

    [Theory]
    [InlineData("--max-contacts", "-5")]
    [InlineData("--max-contacts", "lots")]
    [InlineData("--max-watchers", "0.5")]
    [InlineData("--auto-approve", "maybe")]
    public async Task Bad_presence_settings_are_refused_and_change_nothing(string option, string value)
    {
        var before = await Server.RunCliAsync("settings", "presence", "show");
        (await Server.RunCliAsync("settings", "presence", "set", option, value)).ShouldFailClearly();
        var after = await Server.RunCliAsync("settings", "presence", "show");
        Assert.Equal(before.StandardOutput, after.StandardOutput);
    }

    [Fact]
    public async Task Unwritable_data_directory_is_refused_clearly()
    {
        // A path below a regular file cannot be created even by root (CI runs as root).
        var file = Path.Combine(Server.DataDirectory, "not-a-directory");
        await File.WriteAllTextAsync(file, "x");
        var dir = Path.Combine(file, "data");
        foreach (var args in new[]
        {
            new[] { "user", "add", "alice@example.com", "--password", "secret", "--data", dir },
            new[] { "domain", "add", "example.net", "--data", dir },
            new[] { "settings", "presence", "set", "--auto-approve", "off", "--data", dir },
        })
        {
            var result = (await ParleyCli.RunAsync(args)).ShouldFailClearly();
            output.WriteLine(result.ToString());
            Assert.False(Directory.Exists(dir));
        }

        Assert.Equal("x", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task A_user_added_while_the_server_runs_can_log_in_at_once()
    {
        Assert.True(Server.IsRunning);
        var jid = $"live-{Guid.NewGuid():N}"[..13] + "@example.com";
        (await Server.RunCliAsync("user", "add", jid, "--password", "fresh-secret")).ShouldSucceed();
        var list = (await Server.RunCliAsync("user", "list")).ShouldSucceed();
        Assert.Contains(jid, list.StandardOutput, StringComparison.Ordinal);
        await using var client = await RawXmppClient.LoginAsync(ParleyProcess.Host, Server.XmppPort, Server.CaPath, jid, "fresh-secret");
        Assert.StartsWith(jid + "/", client.FullJid, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_disabled_while_the_server_runs_cannot_log_in_and_enabled_again_can()
    {
        var (jid, password) = await Server.CreateUserAsync("toggle");
        (await Server.RunCliAsync("user", "disable", jid)).ShouldSucceed();
        await using (var client = await RawXmppClient.ConnectAsync(ParleyProcess.Host, Server.XmppPort))
        {
            await client.StartTlsAsync(ParleyProcess.Domain, Server.CaPath);
            var failure = await client.AuthenticatePlainAsync(jid, password);
            Assert.NotNull(failure);
            Assert.True(
                failure.Contains("account-disabled", StringComparison.Ordinal) || failure.Contains("not-authorized", StringComparison.Ordinal),
                $"a disabled user should get <account-disabled/> or <not-authorized/>: {failure}");
        }

        (await Server.RunCliAsync("user", "enable", jid)).ShouldSucceed();
        await using var again = await RawXmppClient.LoginAsync(ParleyProcess.Host, Server.XmppPort, Server.CaPath, jid, password);
    }

    [Fact]
    public async Task A_user_removed_while_the_server_runs_cannot_log_in()
    {
        var (jid, password) = await Server.CreateUserAsync("gone");
        (await Server.RunCliAsync("user", "remove", jid)).ShouldSucceed();
        Assert.DoesNotContain(jid, (await Server.RunCliAsync("user", "list")).ShouldSucceed().StandardOutput, StringComparison.Ordinal);
        await using var client = await RawXmppClient.ConnectAsync(ParleyProcess.Host, Server.XmppPort);
        await client.StartTlsAsync(ParleyProcess.Domain, Server.CaPath);
        var failure = await client.AuthenticatePlainAsync(jid, password);
        Assert.NotNull(failure);
        Assert.Contains("not-authorized", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("user", "--help")]
    [InlineData("user", "add", "--help")]
    [InlineData("domain", "--help")]
    [InlineData("settings", "presence", "set", "--help")]
    [InlineData("events", "--help")]
    [InlineData("serve", "--help")]
    public async Task Help_is_available_everywhere(params string[] args)
    {
        var result = (await ParleyCli.RunAsync(args)).ShouldSucceed();
        Assert.False(string.IsNullOrWhiteSpace(result.StandardOutput));
    }

    [Fact]
    public async Task Unknown_command_fails_with_usage()
    {
        (await ParleyCli.RunAsync("frobnicate")).ShouldFailClearly();
    }

    [Fact]
    public async Task Serve_refuses_a_port_in_use_with_a_clear_message()
    {
        await using var second = new ParleyProcess();
        var result = await ProcessRunner.RunAsync(
            RepoPaths.DotnetHost,
            [RepoPaths.ParleyDll, "serve", "--data", second.DataDirectory, "--bind", ParleyProcess.Host,
             "--xmpp-port", Server.XmppPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--admin-port", "0"],
            TimeSpan.FromSeconds(30));
        output.WriteLine(result.Stdout + result.Stderr);
        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"{ParleyProcess.Host}:{Server.XmppPort.ToString(System.Globalization.CultureInfo.InvariantCulture)}: the port is in use", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Fix:", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_refuses_an_unwritable_data_directory_with_a_clear_message()
    {
        // A path below a regular file cannot be created even by root (CI runs as root).
        var file = Path.Combine(Server.DataDirectory, "serve-not-a-directory");
        await File.WriteAllTextAsync(file, "x");
        var dir = Path.Combine(file, "data");
        var result = await ProcessRunner.RunAsync(
            RepoPaths.DotnetHost,
            [RepoPaths.ParleyDll, "serve", "--data", dir, "--bind", ParleyProcess.Host, "--xmpp-port", "1", "--admin-port", "0"],
            TimeSpan.FromSeconds(30));
        output.WriteLine(result.Stdout + result.Stderr);
        Assert.Equal(3, result.ExitCode);
        Assert.Contains(dir, result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Fix:", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("ready", result.Stdout, StringComparison.OrdinalIgnoreCase);
    }

    private async Task<string> SnapshotAsync()
    {
        var users = (await Server.RunCliAsync("user", "list")).ShouldSucceed().StandardOutput;
        var domains = (await Server.RunCliAsync("domain", "list")).ShouldSucceed().StandardOutput;
        return users + "\n" + domains;
    }
}
