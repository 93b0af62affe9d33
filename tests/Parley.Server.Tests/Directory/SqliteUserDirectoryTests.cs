using System.Text;
using Parley.Server.Directory;
using Parley.Server.Privacy;
using Parley.Server.Roster;
using Parley.Server.Tests.Support;
using Parley.Xmpp.Sasl;

namespace Parley.Server.Tests.Directory;

public sealed class SqliteUserDirectoryTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Added_user_has_scram_credentials_that_verify_the_password()
    {
        using var temp = new TempDirectory();
        await using var store = await TestStore.OpenWithDomainAsync(temp.Path);
        await store.Users.AddUserAsync(TestStore.Jid("Alice@Example.com"), "correct horse", TestStore.Actor, None);

        var user = await store.Users.FindUserAsync(TestStore.Jid("alice@example.com"), None);

        Assert.NotNull(user);
        Assert.True(user.Enabled);
        foreach (var hash in new[] { ScramHash.Sha1, ScramHash.Sha256 })
        {
            var credential = user.Credential(hash);
            Assert.NotNull(credential);
            Assert.Equal(16, credential.Salt.Length);
            Assert.Equal(UserDirectoryOptions.MinimumIterations, credential.Iterations);
            Assert.True(credential.VerifyPassword("correct horse"));
            Assert.False(credential.VerifyPassword("wrong"));
        }
    }

    [Fact]
    public async Task The_password_is_never_written_to_disk()
    {
        using var temp = new TempDirectory();
        await using (var store = await TestStore.OpenWithDomainAsync(temp.Path))
        {
            await store.Users.AddUserAsync(TestStore.Jid("alice@example.com"), "UniquePassw0rdMarker", TestStore.Actor, None);
        }

        foreach (var file in System.IO.Directory.GetFiles(temp.Path))
        {
            Assert.DoesNotContain("UniquePassw0rdMarker", Encoding.UTF8.GetString(File.ReadAllBytes(file)));
        }
    }

    [Fact]
    public void Default_iterations_are_ten_thousand_and_out_of_range_values_are_refused()
    {
        var defaults = new UserDirectoryOptions();
        Assert.Equal(10_000, defaults.ScramSha1Iterations);
        Assert.Equal(10_000, defaults.ScramSha256Iterations);
        Assert.Throws<ArgumentOutOfRangeException>(() => new UserDirectoryOptions { ScramSha256Iterations = 100 }.Validate());
    }

    [Fact]
    public async Task Adding_a_user_in_an_unhosted_domain_is_refused_with_the_fix()
    {
        using var temp = new TempDirectory();
        await using var store = await TestStore.OpenWithDomainAsync(temp.Path);
        var error = await Assert.ThrowsAsync<DirectoryException>(() => store.Users.AddUserAsync(TestStore.Jid("bob@other.org"), "pw", TestStore.Actor, None));
        Assert.Equal(DirectoryError.DomainNotFound, error.Error);
        Assert.Contains("parley domain add other.org", error.Message);
        Assert.Empty(await store.Users.ListUsersAsync(null, None));
    }

    [Fact]
    public async Task Adding_an_existing_user_is_refused_and_changes_nothing()
    {
        using var temp = new TempDirectory();
        await using var store = await TestStore.OpenWithDomainAsync(temp.Path);
        var alice = TestStore.Jid("alice@example.com");
        await store.Users.AddUserAsync(alice, "first", TestStore.Actor, None);
        var revision = store.Settings.Current.Revision;

        var error = await Assert.ThrowsAsync<DirectoryException>(() => store.Users.AddUserAsync(alice, "second", TestStore.Actor, None));

        Assert.Equal(DirectoryError.UserExists, error.Error);
        Assert.Equal(revision, (await store.Settings.RefreshAsync(None)).Revision);
        Assert.True((await store.Users.FindUserAsync(alice, None))!.Credential(ScramHash.Sha256)!.VerifyPassword("first"));
    }

    [Fact]
    public async Task Password_change_disable_and_enable_take_effect()
    {
        using var temp = new TempDirectory();
        await using var store = await TestStore.OpenWithDomainAsync(temp.Path);
        var alice = TestStore.Jid("alice@example.com");
        await store.Users.AddUserAsync(alice, "old", TestStore.Actor, None);

        await store.Users.SetPasswordAsync(alice, "new", TestStore.Actor, None);
        await store.Users.SetEnabledAsync(alice, false, TestStore.Actor, None);
        var disabled = await store.Users.FindUserAsync(alice, None);
        await store.Users.SetEnabledAsync(alice, true, TestStore.Actor, None);
        var enabled = await store.Users.FindUserAsync(alice, None);

        Assert.False(disabled!.Enabled);
        Assert.True(enabled!.Enabled);
        Assert.True(enabled.Credential(ScramHash.Sha1)!.VerifyPassword("new"));
        Assert.False(enabled.Credential(ScramHash.Sha1)!.VerifyPassword("old"));
        await Assert.ThrowsAsync<DirectoryException>(() => store.Users.SetEnabledAsync(TestStore.Jid("ghost@example.com"), false, TestStore.Actor, None));
    }

    [Fact]
    public async Task Removing_a_user_removes_their_data_but_not_their_place_in_other_rosters()
    {
        using var temp = new TempDirectory();
        await using var store = await TestStore.OpenWithDomainAsync(temp.Path);
        var alice = TestStore.Jid("alice@example.com");
        var bob = TestStore.Jid("bob@example.com");
        await store.Users.AddUserAsync(alice, "pw", TestStore.Actor, None);
        await store.Users.AddUserAsync(bob, "pw", TestStore.Actor, None);
        await store.Rosters.SaveAsync(alice, RosterItem.Empty(bob) with { Hidden = false, Subscription = Subscription.Both }, None);
        await store.Rosters.SaveAsync(bob, RosterItem.Empty(alice) with { Hidden = false, Subscription = Subscription.Both }, None);
        await store.Privacy.AddAsync(alice, PrivacyListKind.Block, [TestStore.Jid("spam@example.net")], None);
        await store.OfflineMessages.TryEnqueueAsync(alice, "<message/>", 10, None);

        await store.Users.RemoveUserAsync(alice, TestStore.Actor, None);

        Assert.Null(await store.Users.FindUserAsync(alice, None));
        Assert.Empty((await store.Rosters.GetAsync(alice, None)).Items);
        Assert.Empty(await store.Privacy.GetAsync(alice, PrivacyListKind.Block, None));
        Assert.Empty(await store.OfflineMessages.PeekAsync(alice, None));
        Assert.NotNull(await store.Rosters.FindAsync(bob, alice, None));
    }

    [Fact]
    public async Task Domains_are_normalised_and_a_domain_with_users_cannot_be_removed()
    {
        using var temp = new TempDirectory();
        await using var store = await TestStore.OpenAsync(temp.Path);
        await store.Users.AddDomainAsync("Example.COM", TestStore.Actor, None);
        await store.Users.AddUserAsync(TestStore.Jid("alice@example.com"), "pw", TestStore.Actor, None);

        Assert.Equal(["example.com"], await store.Users.ListDomainsAsync(None));
        Assert.True(store.Settings.Current.HostsDomain("example.com"));
        var hasUsers = await Assert.ThrowsAsync<DirectoryException>(() => store.Users.RemoveDomainAsync("example.com", TestStore.Actor, None));
        Assert.Equal(DirectoryError.DomainHasUsers, hasUsers.Error);
        var exists = await Assert.ThrowsAsync<DirectoryException>(() => store.Users.AddDomainAsync("example.com", TestStore.Actor, None));
        Assert.Equal(DirectoryError.DomainExists, exists.Error);
        var invalid = await Assert.ThrowsAsync<DirectoryException>(() => store.Users.AddDomainAsync("bad domain..com", TestStore.Actor, None));
        Assert.Equal(DirectoryError.InvalidDomain, invalid.Error);

        await store.Users.RemoveUserAsync(TestStore.Jid("alice@example.com"), TestStore.Actor, None);
        await store.Users.RemoveDomainAsync("example.com", TestStore.Actor, None);
        Assert.False(store.Settings.Current.HostsDomain("example.com"));
    }

    [Fact]
    public async Task Every_change_records_a_revision_with_actor_and_description()
    {
        using var temp = new TempDirectory();
        await using var store = await TestStore.OpenAsync(temp.Path);
        var alice = TestStore.Jid("alice@example.com");
        await store.Users.AddDomainAsync("example.com", "cli:alice-admin", None);
        await store.Users.AddUserAsync(alice, "pw", "cli:alice-admin", None);
        await store.Users.SetPasswordAsync(alice, "pw2", "cli:alice-admin", None);
        await store.Users.SetEnabledAsync(alice, false, "cli:alice-admin", None);
        await store.Users.RemoveUserAsync(alice, "cli:alice-admin", None);

        var changes = await store.Cms.ListChangesAsync(10, None);

        Assert.Equal([5L, 4, 3, 2, 1], changes.Select(c => c.Revision));
        Assert.All(changes, c => Assert.Equal("cli:alice-admin", c.Actor));
        Assert.Equal("user alice@example.com removed", changes[0].Description);
        Assert.Equal("domain example.com added", changes[^1].Description);
        Assert.Equal(5, store.Settings.Current.Revision);
    }
}
