using Parley.Server.Sip;
using Parley.Server.Sip.Core;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Sip.Core;

public sealed class NonceServiceTests
{
    [Fact]
    public void A_fresh_nonce_is_valid_until_its_lifetime_then_stale()
    {
        using var temp = new TempDirectory();
        // Nonces carry whole seconds: start on one so the boundary is exact.
        var clock = new FixedTimeProvider(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        var nonces = new NonceService(new NonceSecret(temp.Path), new SipServerOptions { NonceLifetime = TimeSpan.FromMinutes(5) }, clock);
        var nonce = nonces.Create();

        Assert.Equal(NonceState.Valid, nonces.Check(nonce));
        clock.Now += TimeSpan.FromMinutes(5);
        Assert.Equal(NonceState.Valid, nonces.Check(nonce));
        clock.Now += TimeSpan.FromSeconds(1);
        Assert.Equal(NonceState.Stale, nonces.Check(nonce));
    }

    [Fact]
    public void A_nonce_from_the_future_is_stale_not_valid_for_longer()
    {
        using var temp = new TempDirectory();
        var clock = new FixedTimeProvider(DateTimeOffset.UtcNow);
        var nonces = new NonceService(new NonceSecret(temp.Path), new SipServerOptions(), clock);
        var nonce = nonces.Create();

        clock.Now -= TimeSpan.FromMinutes(1);

        Assert.Equal(NonceState.Stale, nonces.Check(nonce));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!")]
    public void Forged_or_damaged_nonces_are_invalid(string? nonce)
    {
        using var temp = new TempDirectory();
        var nonces = new NonceService(new NonceSecret(temp.Path), new SipServerOptions(), TimeProvider.System);

        Assert.Equal(NonceState.Invalid, nonces.Check(nonce));
    }

    [Fact]
    public void The_key_survives_a_restart_and_another_node_key_does_not_verify()
    {
        using var node = new TempDirectory();
        using var other = new TempDirectory();
        var nonce = new NonceService(new NonceSecret(node.Path), new SipServerOptions(), TimeProvider.System).Create();

        Assert.Equal(NonceState.Valid, new NonceService(new NonceSecret(node.Path), new SipServerOptions(), TimeProvider.System).Check(nonce));
        Assert.Equal(NonceState.Invalid, new NonceService(new NonceSecret(other.Path), new SipServerOptions(), TimeProvider.System).Check(nonce));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(new NonceSecret(node.Path).FilePath));
    }
}
