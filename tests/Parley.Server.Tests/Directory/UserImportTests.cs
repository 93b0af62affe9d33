using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Server.Directory;
using Parley.Server.Storage;
using Parley.Server.Tests.Support;
using Parley.Xmpp.Sasl;

namespace Parley.Server.Tests.Directory;

public sealed class UserImportTests : IDisposable
{
    private const int BatchSize = 10;
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Import_adds_users_in_batches_with_one_revision_per_batch_and_reports_progress()
    {
        await using var store = await OpenAsync();
        var progress = new RecordingProgress();

        var result = await store.Users.ImportUsersAsync(Users(25), updatePasswords: false, TestStore.Actor, "users.csv", progress, None);

        Assert.Equal(new UserImportResult(25, 0, 0, 2, 4), result);
        Assert.Equal([10, 20, 25], progress.Values);
        Assert.Equal(25, (await store.Users.ListUsersAsync("example.com", None)).Count);
        var changes = await store.Cms.ListChangesAsync(10, None);
        Assert.Equal([4L, 3, 2, 1], changes.Select(c => c.Revision));
        Assert.Equal("imported users from users.csv (batch 3 of 3: 5 added, 0 password(s) reset, 0 skipped)", changes[0].Description);
        Assert.Equal(4, store.Settings.Current.Revision);
    }

    [Fact]
    public async Task Imported_users_authenticate_with_both_scram_hashes_and_keep_the_enabled_flag()
    {
        await using var store = await OpenAsync();
        UserImportEntry[] users = [new(TestStore.Jid("alice@example.com"), "pa,ss\"word", true), new(TestStore.Jid("bob@example.com"), " spaced ", false)];

        await store.Users.ImportUsersAsync(users, updatePasswords: false, TestStore.Actor, "users.csv", null, None);

        var alice = await store.Users.FindUserAsync(users[0].Jid, None);
        var bob = await store.Users.FindUserAsync(users[1].Jid, None);
        Assert.True(alice!.Enabled);
        Assert.False(bob!.Enabled);
        foreach (var hash in new[] { ScramHash.Sha1, ScramHash.Sha256 })
        {
            Assert.True(alice.Credential(hash)!.VerifyPassword("pa,ss\"word"));
            Assert.True(bob.Credential(hash)!.VerifyPassword(" spaced "));
            Assert.False(bob.Credential(hash)!.VerifyPassword("spaced"));
        }
    }

    [Fact]
    public async Task Existing_users_are_skipped_so_a_rerun_changes_nothing()
    {
        await using var store = await OpenAsync();
        await store.Users.AddUserAsync(TestStore.Jid("user3@example.com"), "kept", TestStore.Actor, None);
        await store.Users.ImportUsersAsync(Users(12), updatePasswords: false, TestStore.Actor, "users.csv", null, None);
        var revision = store.Settings.Current.Revision;

        var again = await store.Users.ImportUsersAsync(Users(12), updatePasswords: false, TestStore.Actor, "users.csv", null, None);

        Assert.Equal(new UserImportResult(0, 0, 12, null, null), again);
        Assert.Equal(revision, (await store.Settings.RefreshAsync(None)).Revision);
        var kept = await store.Users.FindUserAsync(TestStore.Jid("user3@example.com"), None);
        Assert.True(kept!.Credential(ScramHash.Sha256)!.VerifyPassword("kept"));
    }

    [Fact]
    public async Task Update_passwords_resets_existing_users_and_keeps_their_enabled_state()
    {
        await using var store = await OpenAsync();
        var alice = TestStore.Jid("alice@example.com");
        await store.Users.AddUserAsync(alice, "old", TestStore.Actor, None);
        await store.Users.SetEnabledAsync(alice, false, TestStore.Actor, None);

        var result = await store.Users.ImportUsersAsync(
            [new(alice, "new", true), new(TestStore.Jid("bob@example.com"), "bob", true)], updatePasswords: true, TestStore.Actor, "users.csv", null, None);

        Assert.Equal(1, result.Added);
        Assert.Equal(1, result.Updated);
        var record = await store.Users.FindUserAsync(alice, None);
        Assert.False(record!.Enabled);
        Assert.Equal(2, record.Credentials.Count);
        Assert.All(record.Credentials, c => Assert.True(c.VerifyPassword("new")));
        Assert.All(record.Credentials, c => Assert.False(c.VerifyPassword("old")));
    }

    [Fact]
    public async Task Check_lists_every_problem_by_entry_and_import_refuses_them_all_changing_nothing()
    {
        await using var store = await OpenAsync();
        UserImportEntry[] users =
        [
            new(TestStore.Jid("ok@example.com"), "pw", true),
            new(TestStore.Jid("carol@example.org"), "pw", true),
            new(TestStore.Jid("example.com"), "pw", true),
            new(TestStore.Jid("ok@example.com"), "pw", true),
            new(TestStore.Jid("dave@example.com"), "", true),
            new(TestStore.Jid("eve@example.com/phone"), "pw", true),
            new(TestStore.Jid("frank@example.com"), "tab\there", true),
        ];
        var revision = store.Settings.Current.Revision;

        var problems = await store.Users.CheckImportAsync(users, None);
        var refused = await Assert.ThrowsAsync<DirectoryException>(
            () => store.Users.ImportUsersAsync(users, updatePasswords: false, TestStore.Actor, "users.csv", null, None));

        Assert.Equal(
            [(1, DirectoryError.DomainNotFound), (2, DirectoryError.InvalidJid), (3, DirectoryError.DuplicateUser), (4, DirectoryError.InvalidPassword),
                (5, DirectoryError.InvalidJid), (6, DirectoryError.InvalidPassword)],
            problems.Select(p => (p.Index, p.Error)));
        Assert.Equal(0, problems.Single(p => p.Error == DirectoryError.DuplicateUser).FirstIndex);
        Assert.Contains("parley domain add example.org", problems[0].Fix);
        Assert.DoesNotContain("tab\there", string.Join(' ', problems.Select(p => p.Problem + p.Fix)));
        Assert.Equal(DirectoryError.InvalidImport, refused.Error);
        Assert.Contains("6 problem(s)", refused.Message);
        Assert.Empty(await store.Users.ListUsersAsync(null, None));
        Assert.Equal(revision, (await store.Settings.RefreshAsync(None)).Revision);
    }

    [Fact]
    public async Task A_cancelled_import_keeps_whole_batches_and_a_rerun_finishes_the_job()
    {
        await using var store = await OpenAsync();
        using var cancel = new CancellationTokenSource();
        var progress = new RecordingProgress(_ => cancel.Cancel());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => store.Users.ImportUsersAsync(Users(25), updatePasswords: false, TestStore.Actor, "users.csv", progress, cancel.Token));

        Assert.Equal([10], progress.Values);
        await AssertWholeUsers(store, 10);
        var rerun = await store.Users.ImportUsersAsync(Users(25), updatePasswords: false, TestStore.Actor, "users.csv", null, None);
        Assert.Equal((15, 10), (rerun.Added, rerun.Skipped));
        await AssertWholeUsers(store, 25);
    }

    [Fact]
    public async Task A_failure_inside_a_batch_rolls_that_batch_back_and_a_rerun_finishes_the_job()
    {
        await using var store = await OpenAsync();
        var database = Path.Combine(_temp.Path, ParleyDatabase.FileName);
        // After the first batch commits, make one row of the second batch fail as a crash or a full disk would.
        var progress = new RecordingProgress(done =>
        {
            if (done == BatchSize)
            {
                Sql(database, "CREATE TRIGGER fail_import BEFORE INSERT ON scram_credentials WHEN (SELECT jid FROM users WHERE id = NEW.user_id) = 'user15@example.com' BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
            }
        });

        var failure = await Assert.ThrowsAsync<StorageException>(
            () => store.Users.ImportUsersAsync(Users(25), updatePasswords: false, TestStore.Actor, "users.csv", progress, None));

        Assert.Contains("injected failure", failure.Message);
        await AssertWholeUsers(store, 10);
        Assert.Equal(2, (await store.Settings.RefreshAsync(None)).Revision);
        Sql(database, "DROP TRIGGER fail_import");
        var rerun = await store.Users.ImportUsersAsync(Users(25), updatePasswords: false, TestStore.Actor, "users.csv", null, None);
        Assert.Equal((15, 10), (rerun.Added, rerun.Skipped));
        await AssertWholeUsers(store, 25);
    }

    private async Task<ParleyStore> OpenAsync()
    {
        var options = TestStore.Options(_temp.Path);
        var store = new ParleyStore(options with { Directory = options.Directory with { ImportBatchSize = BatchSize } }, TimeProvider.System, NullLoggerFactory.Instance);
        await store.StartAsync(None);
        await store.Users.AddDomainAsync("example.com", TestStore.Actor, None);
        return store;
    }

    private static UserImportEntry[] Users(int count)
        => Enumerable.Range(0, count).Select(i => new UserImportEntry(TestStore.Jid($"user{i}@example.com"), $"pw{i}", true)).ToArray();

    /// <summary>Exactly the first <paramref name="count"/> users exist, each with both credentials for its password.</summary>
    private static async Task AssertWholeUsers(ParleyStore store, int count)
    {
        var users = await store.Users.ListUsersAsync(null, None);
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"user{i}@example.com").Order(StringComparer.Ordinal), users.Select(u => u.Jid.ToString()));
        Assert.All(users, user =>
        {
            Assert.Equal(2, user.Credentials.Count);
            Assert.True(user.Credential(ScramHash.Sha256)!.VerifyPassword("pw" + user.Jid.Local![4..]));
        });
    }

    private static void Sql(string database, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Synchronous, unlike <see cref="Progress{T}"/>, so the test sees each report when it happens.</summary>
    private sealed class RecordingProgress(Action<int>? onReport = null) : IProgress<int>
    {
        public List<int> Values { get; } = [];

        public void Report(int value)
        {
            Values.Add(value);
            onReport?.Invoke(value);
        }
    }
}
