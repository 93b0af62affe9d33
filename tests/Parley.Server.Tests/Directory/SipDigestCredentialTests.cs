using Parley.Server.Directory;
using Parley.Server.Tests.Support;
using Parley.Sip.Authentication;

namespace Parley.Server.Tests.Directory;

/// <summary>SIP digest HA1 values are derived wherever a password is set, never the password itself.</summary>
public sealed class SipDigestCredentialTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Adding_a_user_stores_md5_and_sha256_ha1_for_the_local_part_and_the_domain_as_realm()
    {
        using var temp = new TempDirectory();
        await using var store = await TestStore.OpenWithDomainAsync(temp.Path);
        await store.Users.AddUserAsync(TestStore.Jid("alice@example.com"), "correct horse", TestStore.Actor, None);

        var credentials = await store.Users.GetSipDigestCredentialsAsync(TestStore.Jid("alice@example.com"), None);

        Assert.Equal(["MD5", "SHA-256"], credentials.Select(c => c.Algorithm).Order(StringComparer.Ordinal));
        Assert.All(credentials, c => Assert.Equal(DigestCalculator.HA1(c.DigestAlgorithm, "alice", "example.com", "correct horse"), c.Ha1));
        Assert.All(credentials, c => Assert.Equal(("alice", "example.com"), (c.UserName, c.Realm)));
    }

    [Fact]
    public async Task Changing_the_password_replaces_the_ha1_values()
    {
        using var temp = new TempDirectory();
        await using var store = await TestStore.OpenWithDomainAsync(temp.Path);
        var alice = TestStore.Jid("alice@example.com");
        await store.Users.AddUserAsync(alice, "old password", TestStore.Actor, None);

        await store.Users.SetPasswordAsync(alice, "new password", TestStore.Actor, None);

        var credentials = await store.Users.GetSipDigestCredentialsAsync(alice, None);
        Assert.Equal(2, credentials.Count);
        Assert.All(credentials, c => Assert.Equal(DigestCalculator.HA1(c.DigestAlgorithm, "alice", "example.com", "new password"), c.Ha1));
    }

    [Fact]
    public async Task Imported_users_get_ha1_values_and_an_update_replaces_them()
    {
        using var temp = new TempDirectory();
        await using var store = await TestStore.OpenWithDomainAsync(temp.Path);
        var bob = TestStore.Jid("bob@example.com");
        await store.Users.ImportUsersAsync([new UserImportEntry(bob, "first", true)], updatePasswords: false, TestStore.Actor, "test", null, None);
        await store.Users.ImportUsersAsync([new UserImportEntry(bob, "second", true)], updatePasswords: true, TestStore.Actor, "test", null, None);

        var credentials = await store.Users.GetSipDigestCredentialsAsync(bob, None);

        Assert.Equal(2, credentials.Count);
        Assert.All(credentials, c => Assert.Equal(DigestCalculator.HA1(c.DigestAlgorithm, "bob", "example.com", "second"), c.Ha1));
    }

    [Fact]
    public async Task An_unknown_user_has_no_digest_credentials_and_removing_a_user_removes_them()
    {
        using var temp = new TempDirectory();
        await using var store = await TestStore.OpenWithDomainAsync(temp.Path);
        var alice = TestStore.Jid("alice@example.com");
        await store.Users.AddUserAsync(alice, "pw", TestStore.Actor, None);

        await store.Users.RemoveUserAsync(alice, TestStore.Actor, None);

        Assert.Empty(await store.Users.GetSipDigestCredentialsAsync(alice, None));
        Assert.Empty(await store.Users.GetSipDigestCredentialsAsync(TestStore.Jid("nobody@example.com"), None));
    }

    [Fact]
    public void The_ha1_is_never_printed()
    {
        var credential = SipDigestCredential.Derive(TestStore.Jid("alice@example.com"), "secret")[0];

        Assert.DoesNotContain(credential.Ha1, credential.ToString(), StringComparison.Ordinal);
    }
}
