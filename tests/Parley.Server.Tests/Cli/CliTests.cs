using System.Text.Json;
using Parley.Cli;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Cli;

public sealed class CliTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Data => _temp.Combine("data");

    private string DatabasePath => Path.Combine(Data, "parley.db");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Domain_and_user_lifecycle_works_end_to_end()
    {
        await Ok("domain", "add", "Example.com", "--data", Data);
        await Ok("user", "add", "alice@example.com", "--password", "pw1", "--data", Data);
        await Ok("--data", Data, "user", "add", "bob@example.com", "--password", "pw2");

        var list = await Ok("user", "list", "--data", Data);
        Assert.Contains("alice@example.com", list.Output);
        Assert.Contains("enabled", list.Output);
        Assert.StartsWith("JID", list.Output);

        await Ok("user", "disable", "bob@example.com", "--data", Data);
        var json = await Ok("user", "list", "--domain", "example.com", "--json", "--data", Data);
        var users = JsonDocument.Parse(json.Output).RootElement.EnumerateArray().ToArray();
        Assert.Equal(2, users.Length);
        Assert.False(users.Single(u => u.GetProperty("jid").GetString() == "bob@example.com").GetProperty("enabled").GetBoolean());

        await Ok("user", "enable", "bob@example.com", "--data", Data);
        await Ok("user", "passwd", "bob@example.com", "--password", "pw3", "--data", Data);
        await Ok("user", "remove", "bob@example.com", "--data", Data);
        Assert.DoesNotContain("bob@", (await Ok("user", "list", "--data", Data)).Output);

        var domains = await Ok("domain", "list", "--json", "--data", Data);
        Assert.Equal(["example.com"], JsonSerializer.Deserialize<string[]>(domains.Output)!);
    }

    [Fact]
    public async Task Password_can_come_from_standard_input_or_a_file()
    {
        await Ok("domain", "add", "example.com", "--data", Data);
        var fromStdin = await CliRunner.RunWithInputAsync(_temp.Path, "s3cret\n", "user", "add", "alice@example.com", "--password-file", "-", "--data", Data);
        File.WriteAllText(_temp.Combine("pw.txt"), "other\n");
        var fromFile = await CliRunner.RunWithInputAsync(_temp.Path, "", "user", "add", "bob@example.com", "--password-file", "pw.txt", "--data", Data);

        Assert.Equal(ExitCodes.Ok, fromStdin.ExitCode);
        Assert.Equal(ExitCodes.Ok, fromFile.ExitCode);
        await using var store = await TestStore.OpenAsync(Data);
        var alice = await store.Users.FindUserAsync(TestStore.Jid("alice@example.com"), CancellationToken.None);
        var bob = await store.Users.FindUserAsync(TestStore.Jid("bob@example.com"), CancellationToken.None);
        Assert.True(alice!.Credentials[0].VerifyPassword("s3cret"));
        Assert.True(bob!.Credentials[0].VerifyPassword("other"));
    }

    [Fact]
    public async Task Adding_a_user_in_an_unhosted_domain_says_to_add_the_domain_and_changes_nothing()
    {
        await Ok("domain", "add", "example.com", "--data", Data);
        var before = CliRunner.Snapshot(DatabasePath);

        var result = await CliRunner.RunAsync(_temp.Path, "user", "add", "carol@example.org", "--password", "pw", "--data", Data);

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("parley domain add example.org", result.Error);
        Assert.Equal(before, CliRunner.Snapshot(DatabasePath));
    }

    [Theory]
    [InlineData("user", "add", "@example.com", "--password", "pw")]
    [InlineData("user", "add", "alice@", "--password", "pw")]
    [InlineData("user", "add", "example.com", "--password", "pw")]
    [InlineData("user", "add", "alice@example.com/phone", "--password", "pw")]
    [InlineData("user", "disable", "al ice@example.com")]
    public async Task A_bad_jid_is_a_usage_error_naming_the_bad_part_and_changes_nothing(params string[] args)
    {
        await Ok("domain", "add", "example.com", "--data", Data);
        var before = CliRunner.Snapshot(DatabasePath);

        var result = await CliRunner.RunAsync(_temp.Path, [.. args, "--data", Data]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains($"'{args[2]}'", result.Error);
        Assert.Contains("Fix:", result.Error);
        Assert.Equal(before, CliRunner.Snapshot(DatabasePath));
    }

    [Fact]
    public async Task A_missing_password_is_a_usage_error_and_changes_nothing()
    {
        await Ok("domain", "add", "example.com", "--data", Data);
        var before = CliRunner.Snapshot(DatabasePath);

        var result = await CliRunner.RunAsync(_temp.Path, "user", "add", "alice@example.com", "--data", Data);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--password", result.Error);
        Assert.Equal(before, CliRunner.Snapshot(DatabasePath));
    }

    [Theory]
    [InlineData("disable")]
    [InlineData("enable")]
    [InlineData("remove")]
    public async Task An_unknown_user_is_refused_with_a_clear_message_and_changes_nothing(string verb)
    {
        await Ok("domain", "add", "example.com", "--data", Data);
        var before = CliRunner.Snapshot(DatabasePath);

        var result = await CliRunner.RunAsync(_temp.Path, "user", verb, "ghost@example.com", "--data", Data);

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("ghost@example.com does not exist", result.Error);
        Assert.Equal(before, CliRunner.Snapshot(DatabasePath));
    }

    [Fact]
    public async Task An_existing_user_is_refused()
    {
        await Ok("domain", "add", "example.com", "--data", Data);
        await Ok("user", "add", "alice@example.com", "--password", "pw", "--data", Data);
        var result = await CliRunner.RunAsync(_temp.Path, "user", "add", "alice@example.com", "--password", "pw", "--data", Data);
        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("already exists", result.Error);
    }

    [Fact]
    public async Task An_unwritable_data_directory_exits_3_naming_the_path_and_creates_nothing()
    {
        // Tests may run as root, which ignores permission bits: a path under a regular file fails for everyone.
        var blocker = _temp.Combine("not-a-directory");
        File.WriteAllText(blocker, "x");
        var data = Path.Combine(blocker, "data");

        var add = await CliRunner.RunAsync(_temp.Path, "domain", "add", "example.com", "--data", data);
        var set = await CliRunner.RunAsync(_temp.Path, "settings", "presence", "set", "--max-contacts", "10", "--data", data);

        Assert.Equal(ExitCodes.Configuration, add.ExitCode);
        Assert.Contains(data, add.Error);
        Assert.Contains("Fix:", add.Error);
        Assert.Equal(ExitCodes.Configuration, set.ExitCode);
        Assert.Equal("x", File.ReadAllText(blocker));
    }

    [Theory]
    [InlineData("user", "list")]
    [InlineData("domain", "list")]
    [InlineData("events")]
    [InlineData("settings", "presence", "show")]
    [InlineData("user", "add", "alice@example.com", "--password", "pw")]
    public async Task Commands_on_a_missing_store_exit_3_and_do_not_create_the_data_directory(params string[] args)
    {
        var result = await CliRunner.RunAsync(_temp.Path, [.. args, "--data", Data]);

        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Contains("No Parley store", result.Error);
        Assert.Contains("parley domain add", result.Error);
        Assert.False(System.IO.Directory.Exists(Data));
    }

    [Fact]
    public async Task Data_defaults_to_data_under_the_working_directory()
    {
        await Ok("domain", "add", "example.com");
        Assert.True(File.Exists(_temp.Combine("data", "parley.db")));
    }

    [Fact]
    public async Task Presence_settings_can_be_shown_changed_and_the_history_lists_the_cli_actor()
    {
        var defaults = await Ok("settings", "presence", "set", "--auto-approve", "on", "--data", Data);
        Assert.Contains("max-contacts 200", defaults.Output);

        Assert.Contains("notify-coalescing 50 ms", defaults.Output);

        await Ok("settings", "presence", "set", "--max-contacts", "unlimited", "--max-watchers", "50", "--auto-approve", "off", "--notify-coalescing-ms", "0", "--data", Data);
        var show = await Ok("settings", "presence", "show", "--json", "--data", Data);
        var json = JsonDocument.Parse(show.Output).RootElement;
        Assert.Equal(JsonValueKind.Null, json.GetProperty("maxContacts").ValueKind);
        Assert.Equal(50, json.GetProperty("maxWatchers").GetInt32());
        Assert.False(json.GetProperty("autoApprove").GetBoolean());
        Assert.Equal(0, json.GetProperty("notifyCoalescingMs").GetInt32());

        var history = await Ok("settings", "history", "--data", Data);
        Assert.Contains("cli:" + Environment.UserName, history.Output);
        Assert.Contains("max contacts unlimited", history.Output);
        Assert.StartsWith("REVISION", history.Output);
    }

    [Theory]
    [InlineData("--max-contacts", "0")]
    [InlineData("--max-watchers", "lots")]
    [InlineData("--auto-approve", "maybe")]
    [InlineData("--notify-coalescing-ms", "1001")]
    [InlineData("--notify-coalescing-ms", "-5")]
    [InlineData("--notify-coalescing-ms", "fast")]
    public async Task Bad_presence_values_are_usage_errors_that_change_nothing(string option, string value)
    {
        await Ok("domain", "add", "example.com", "--data", Data);
        var before = CliRunner.Snapshot(DatabasePath);

        var result = await CliRunner.RunAsync(_temp.Path, "settings", "presence", "set", option, value, "--data", Data);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(option, result.Error);
        Assert.Equal(before, CliRunner.Snapshot(DatabasePath));
    }

    [Fact]
    public async Task Events_are_listed_filtered_by_id_and_since_with_cause_and_resolution()
    {
        await Ok("domain", "add", "example.com", "--data", Data);

        var table = await Ok("events", "--since", "10m", "--data", Data);
        var byId = await Ok("events", "--id", "3302", "--data", Data);
        var future = await Ok("events", "--since", "2999-01-01T00:00:00Z", "--json", "--data", Data);

        Assert.StartsWith("TIME", table.Output);
        Assert.Contains("3302", table.Output);
        Assert.Contains("Cause:", byId.Output);
        Assert.Contains("Resolution:", byId.Output);
        Assert.Empty(JsonDocument.Parse(future.Output).RootElement.EnumerateArray());
        Assert.Equal(ExitCodes.Usage, (await CliRunner.RunAsync(_temp.Path, "events", "--since", "yesterday", "--data", Data)).ExitCode);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("serve", "--help")]
    [InlineData("domain", "--help")]
    [InlineData("domain", "add", "--help")]
    [InlineData("domain", "list", "--help")]
    [InlineData("domain", "remove", "--help")]
    [InlineData("user", "--help")]
    [InlineData("user", "add", "--help")]
    [InlineData("user", "import", "--help")]
    [InlineData("user", "passwd", "--help")]
    [InlineData("user", "disable", "--help")]
    [InlineData("user", "enable", "--help")]
    [InlineData("user", "remove", "--help")]
    [InlineData("user", "list", "--help")]
    [InlineData("settings", "--help")]
    [InlineData("settings", "presence", "show", "--help")]
    [InlineData("settings", "presence", "set", "--help")]
    [InlineData("settings", "history", "--help")]
    [InlineData("events", "--help")]
    public async Task Every_command_has_help(params string[] args)
    {
        var result = await CliRunner.RunAsync(_temp.Path, args);
        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("Usage:", result.Output);
        Assert.Contains("--data", result.Output);
        Assert.False(System.IO.Directory.Exists(Data));
    }

    [Theory]
    [InlineData("user", "frobnicate")]
    [InlineData("user", "add")]
    [InlineData("events", "--limit", "many")]
    [InlineData("serve", "--xmpp-port", "70000")]
    [InlineData("serve", "--bind", "not-an-ip")]
    public async Task Bad_arguments_exit_2(params string[] args)
    {
        var result = await CliRunner.RunAsync(_temp.Path, [.. args, "--data", Data]);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.NotEmpty(result.Error);
        Assert.False(System.IO.Directory.Exists(Data));
    }

    [Fact]
    public async Task Serve_with_a_bad_bootstrap_file_exits_3_naming_file_and_key()
    {
        File.WriteAllText(_temp.Combine("parley.json"), """{ "listeners": { "xmpp": 70000 } }""");
        var result = await CliRunner.RunAsync(_temp.Path, "serve", "--config", "parley.json", "--data", Data);
        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Contains("parley.json: listeners.xmpp: 70000 is not a port (1-65535). Fix: set a free TCP port, default 5222.", result.Error);
    }

    [Fact]
    public async Task Removing_a_domain_with_users_is_refused()
    {
        await Ok("domain", "add", "example.com", "--data", Data);
        await Ok("user", "add", "alice@example.com", "--password", "pw", "--data", Data);
        var result = await CliRunner.RunAsync(_temp.Path, "domain", "remove", "example.com", "--data", Data);
        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("still has 1 user", result.Error);
    }

    [Fact]
    public async Task The_cli_writes_while_another_store_instance_has_the_file_open()
    {
        await Ok("domain", "add", "example.com", "--data", Data);
        await using var server = await TestStore.OpenAsync(Data);
        var before = server.Settings.Current.Revision;

        await Ok("user", "add", "alice@example.com", "--password", "pw", "--data", Data);
        var after = await server.Settings.RefreshAsync(CancellationToken.None);

        Assert.Equal(before + 1, after.Revision);
        Assert.NotNull(await server.Users.FindUserAsync(TestStore.Jid("alice@example.com"), CancellationToken.None));
    }

    private async Task<CliResult> Ok(params string[] args)
    {
        var result = await CliRunner.RunAsync(_temp.Path, args);
        Assert.True(result.ExitCode == ExitCodes.Ok, $"parley {string.Join(' ', args)} exited {result.ExitCode}: {result.Error}");
        return result;
    }
}
