using System.Text;
using System.Text.Json;
using Parley.Cli;
using Parley.Server.Tests.Support;
using Parley.Xmpp.Sasl;

namespace Parley.Server.Tests.Cli;

public sealed class UserImportCliTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Data => _temp.Combine("data");

    private string DatabasePath => Path.Combine(Data, "parley.db");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_valid_file_imports_users_who_can_then_authenticate()
    {
        await Ok("domain", "add", "example.com", "--data", Data);
        var file = Csv(
            "jid,password,enabled",
            "alice@example.com,correct horse,true",
            "",
            "Bob@Example.com,\"pa,ss\"\"word\",false",
            "carol@example.com, spaced ,");

        var result = await Ok("user", "import", file, "--data", Data);

        Assert.Matches(@"^Imported 3 users in \d+\.\d s\.\n$", result.Output);
        Assert.Equal("imported 3/3 users.\n", result.Error);
        await using var store = await TestStore.OpenAsync(Data);
        var alice = await store.Users.FindUserAsync(TestStore.Jid("alice@example.com"), CancellationToken.None);
        var bob = await store.Users.FindUserAsync(TestStore.Jid("bob@example.com"), CancellationToken.None);
        var carol = await store.Users.FindUserAsync(TestStore.Jid("carol@example.com"), CancellationToken.None);
        foreach (var hash in new[] { ScramHash.Sha1, ScramHash.Sha256 })
        {
            Assert.True(alice!.Credential(hash)!.VerifyPassword("correct horse"));
            Assert.True(bob!.Credential(hash)!.VerifyPassword("pa,ss\"word"));
            Assert.True(carol!.Credential(hash)!.VerifyPassword(" spaced "));
        }

        Assert.True(alice!.Enabled);
        Assert.False(bob!.Enabled);
        Assert.True(carol!.Enabled);
        var change = (await store.Cms.ListChangesAsync(1, CancellationToken.None)).Single();
        Assert.Equal("cli:" + Environment.UserName, change.Actor);
        Assert.Contains($"imported users from {file}", change.Description);
    }

    [Fact]
    public async Task Running_the_same_import_again_skips_existing_users_and_changes_nothing()
    {
        await Ok("domain", "add", "example.com", "--data", Data);
        var file = Csv(["jid,password", .. Enumerable.Range(0, 200).Select(i => $"user{i}@example.com,pw{i}")]);
        await Ok("user", "import", file, "--data", Data);
        var before = CliRunner.Snapshot(DatabasePath);

        var again = await Ok("user", "import", file, "--data", Data);

        Assert.StartsWith("Imported 0 users (200 already existed, skipped) in ", again.Output);
        Assert.Equal(before, CliRunner.Snapshot(DatabasePath));
    }

    [Fact]
    public async Task Update_passwords_resets_the_passwords_of_existing_users()
    {
        await Ok("domain", "add", "example.com", "--data", Data);
        await Ok("user", "add", "alice@example.com", "--password", "old", "--data", Data);
        var file = Csv("jid,password", "alice@example.com,new", "bob@example.com,bob");

        var skipped = await Ok("user", "import", file, "--data", Data);
        var reset = await Ok("user", "import", file, "--update-passwords", "--data", Data);

        Assert.StartsWith("Imported 1 user (1 already existed, skipped) in ", skipped.Output);
        Assert.StartsWith("Imported 0 users (2 already existed, password reset) in ", reset.Output);
        await using var store = await TestStore.OpenAsync(Data);
        var alice = await store.Users.FindUserAsync(TestStore.Jid("alice@example.com"), CancellationToken.None);
        Assert.All(alice!.Credentials, c => Assert.True(c.VerifyPassword("new")));
        Assert.All(alice.Credentials, c => Assert.False(c.VerifyPassword("old")));
    }

    [Fact]
    public async Task Users_can_be_read_from_standard_input_and_the_summary_can_be_json()
    {
        await Ok("domain", "add", "example.com", "--data", Data);
        await Ok("user", "add", "alice@example.com", "--password", "pw", "--data", Data);

        var result = await CliRunner.RunWithInputAsync(_temp.Path, "jid,password\nalice@example.com,pw\nbob@example.com,s3cret\n",
            "user", "import", "-", "--json", "--data", Data);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        var json = JsonDocument.Parse(result.Output).RootElement;
        Assert.Equal("<stdin>", json.GetProperty("file").GetString());
        Assert.Equal(2, json.GetProperty("users").GetInt32());
        Assert.Equal(1, json.GetProperty("added").GetInt32());
        Assert.Equal(1, json.GetProperty("skipped").GetInt32());
        Assert.Equal(0, json.GetProperty("updated").GetInt32());
        Assert.Equal(3, json.GetProperty("lastRevision").GetInt64());
        await using var store = await TestStore.OpenAsync(Data);
        var bob = await store.Users.FindUserAsync(TestStore.Jid("bob@example.com"), CancellationToken.None);
        Assert.True(bob!.Credential(ScramHash.Sha256)!.VerifyPassword("s3cret"));
    }

    [Theory]
    [InlineData("bad JID", "jid,password\nok@example.com,pw\nal ice@example.com,pw\n", 3, "'al ice@example.com' is not a valid JID")]
    [InlineData("no local part", "jid,password\nok@example.com,pw\nexample.com,pw\n", 3, "has no local part")]
    [InlineData("resource", "jid,password\nok@example.com,pw\nbob@example.com/phone,pw\n", 3, "has a resource")]
    [InlineData("unhosted domain", "jid,password\nok@example.com,pw\ncarol@example.org,pw\n", 3, "run `parley domain add example.org`")]
    [InlineData("duplicate", "jid,password\nok@example.com,pw\n\nOK@Example.com,other\n", 4, "ok@example.com is listed more than once (first on line 2)")]
    [InlineData("empty password", "jid,password\nok@example.com,pw\ndave@example.com,\n", 3, "the password is empty (user dave@example.com)")]
    [InlineData("control character", "jid,password\nok@example.com,pw\ndave@example.com,a\tb\n", 3, "control character")]
    [InlineData("missing header", "ok@example.com,pw\n", 1, "the first line is a user, not the header")]
    [InlineData("unknown column", "jid,password,email\nok@example.com,pw,ok@example.net\n", 1, "unknown column 'email' (column 3)")]
    [InlineData("missing column", "jid,enabled\nok@example.com,true\n", 1, "the header has no 'password' column")]
    [InlineData("empty file", "", 1, "the file is empty")]
    [InlineData("field count", "jid,password\nok@example.com,pw\nbob@example.com,pa,ss\n", 3, "3 field(s), but the header names 2 column(s)")]
    [InlineData("open quote", "jid,password\nok@example.com,pw\nbob@example.com,\"pass\n", 3, "is not closed")]
    [InlineData("enabled value", "jid,password,enabled\nok@example.com,pw,\nbob@example.com,pw,maybe\n", 3, "enabled is 'maybe'")]
    public async Task An_invalid_file_exits_2_with_a_line_numbered_problem_and_changes_nothing(string name, string csv, int line, string problem)
    {
        await Ok("domain", "add", "example.com", "--data", Data);
        var file = _temp.Combine(name.Replace(' ', '-') + ".csv");
        File.WriteAllText(file, csv);
        var before = CliRunner.Snapshot(DatabasePath);

        var result = await CliRunner.RunAsync(_temp.Path, "user", "import", file, "--data", Data);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        var first = result.Error.Split('\n')[0];
        Assert.StartsWith($"{file}:{line}: ", first);
        Assert.Contains(problem, first);
        Assert.Contains(". Fix: ", first);
        Assert.Contains("parley: nothing imported: 1 problem in", result.Error);
        Assert.Empty(result.Output);
        Assert.Equal(before, CliRunner.Snapshot(DatabasePath));
    }

    [Fact]
    public async Task Every_problem_is_listed_up_to_fifty_then_counted()
    {
        await Ok("domain", "add", "example.com", "--data", Data);
        var file = Csv(["jid,password", .. Enumerable.Range(0, 60).Select(i => $"user{i}@example.org,pw"), "fine@example.com,pw"]);
        var before = CliRunner.Snapshot(DatabasePath);

        var result = await CliRunner.RunAsync(_temp.Path, "user", "import", file, "--data", Data);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        var lines = result.Error.TrimEnd('\n').Split('\n');
        Assert.Equal(52, lines.Length);
        Assert.StartsWith($"{file}:2: domain example.org of user0@example.org is not hosted", lines[0]);
        Assert.StartsWith($"{file}:51: ", lines[49]);
        Assert.Equal("and 10 more.", lines[50]);
        Assert.Equal($"parley: nothing imported: 60 problems in {file}. Fix them and run the command again.", lines[51]);
        Assert.Equal(before, CliRunner.Snapshot(DatabasePath));
    }

    [Fact]
    public async Task Passwords_are_never_printed_even_in_problems()
    {
        await Ok("domain", "add", "example.com", "--data", Data);
        const string Secret = "Sup3rSecretMarker";
        var cases = new[]
        {
            $"alice@example.com,{Secret}\n",
            $"jid,password\nalice@example.com,{Secret},extra\n",
            $"jid,password\nalice@example.com,\"{Secret}\n",
            $"jid,password\nalice@example.com,{Secret}\nalice@example.com,{Secret}\n",
            $"jid,password\nalice@example.com,{Secret}\n",
        };

        foreach (var csv in cases)
        {
            var result = await CliRunner.RunWithInputAsync(_temp.Path, csv, "user", "import", "-", "--data", Data);
            Assert.DoesNotContain(Secret, result.Output + result.Error);
        }
    }

    [Fact]
    public async Task A_missing_file_or_store_is_reported_with_the_right_exit_code()
    {
        var noFile = await CliRunner.RunAsync(_temp.Path, "user", "import", "missing.csv", "--data", Data);
        var noStore = await CliRunner.RunAsync(_temp.Path, "user", "import", Csv("jid,password", "a@example.com,pw"), "--data", Data);

        Assert.Equal(ExitCodes.Usage, noFile.ExitCode);
        Assert.Contains("cannot read missing.csv", noFile.Error);
        Assert.Equal(ExitCodes.Configuration, noStore.ExitCode);
        Assert.Contains("No Parley store", noStore.Error);
        Assert.False(System.IO.Directory.Exists(Data));
    }

    [Fact]
    public async Task Help_explains_the_csv_format_with_an_example()
    {
        var result = await Ok("user", "import", "--help");

        Assert.Contains("jid,password,enabled", result.Output);
        Assert.Contains("alice@example.com,", result.Output);
        Assert.Contains("--update-passwords", result.Output);
        Assert.Contains("standard input", result.Output);
    }

    private string Csv(params string[] lines)
    {
        var file = _temp.Combine($"users-{Guid.NewGuid():N}.csv");
        File.WriteAllText(file, string.Join('\n', lines) + "\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        return file;
    }

    private async Task<CliResult> Ok(params string[] args)
    {
        var result = await CliRunner.RunAsync(_temp.Path, args);
        Assert.True(result.ExitCode == ExitCodes.Ok, $"parley {string.Join(' ', args)} exited {result.ExitCode}: {result.Error}");
        return result;
    }
}
