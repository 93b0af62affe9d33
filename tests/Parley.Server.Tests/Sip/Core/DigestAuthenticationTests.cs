using Parley.Server.Diagnostics;
using Parley.Server.Sip;
using Parley.Server.Sip.Core;
using Parley.Server.Tests.Sip.Support;
using Parley.Server.Tests.Support;
using Parley.Server.Tests.Xmpp.Support;
using Parley.Sip.Authentication;
using Parley.Sip.Messages;

namespace Parley.Server.Tests.Sip.Core;

/// <summary>SIP digest authentication (RFC 3261 §22, RFC 7616) of this server's users, with the default MD5-only offer.</summary>
public sealed class DigestAuthenticationTests(SipNodeFixture fixture) : IClassFixture<SipNodeFixture>
{
    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task Register_without_credentials_is_challenged_401_with_md5_only_by_default_qop_auth_and_realm_the_domain()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var client = await SipTestClient.ConnectAsync(Node, alice);

        var response = await client.SendAsync(client.CreateRequest(SipMethods.Register, new SipUri("sip", null, ParleyTestNode.Domain), client.Aor));

        Assert.Equal(401, response.StatusCode);
        var challenges = response.Headers.GetAll(SipHeaderNames.WwwAuthenticate).Select(DigestChallengeOf).ToArray();
        Assert.Equal([DigestAlgorithm.Md5], challenges.Select(c => c.Algorithm));
        Assert.All(challenges, c => Assert.Equal(ParleyTestNode.Domain, c.Realm));
        Assert.All(challenges, c => Assert.Equal(["auth"], c.Qop));
        Assert.All(challenges, c => Assert.False(c.Stale));
    }

    [Theory]
    [InlineData("UDP")]
    [InlineData("TCP")]
    [InlineData("TLS")]
    public async Task Register_with_the_right_password_succeeds(string transport)
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var client = await SipTestClient.ConnectAsync(Node, alice, transport);

        var response = await client.RegisterAsync(60);

        Assert.Equal(200, response.StatusCode);
        Assert.Contains(response.Headers.GetValues(SipHeaderNames.Contact), c => c.Contains(client.LocalEndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Other_requests_are_challenged_407_with_proxy_authenticate()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var client = await SipTestClient.ConnectAsync(Node, alice);
        var message = client.CreateRequest(SipMethods.Message, new SipUri("sip", bob.Local, ParleyTestNode.Domain));
        message.ContentType = "text/plain";
        message.Body = "hi"u8.ToArray();

        var response = await client.SendAsync(message);

        Assert.Equal(407, response.StatusCode);
        Assert.Equal([DigestAlgorithm.Md5], response.Headers.GetAll(SipHeaderNames.ProxyAuthenticate).Select(v => DigestChallengeOf(v).Algorithm));
    }

    [Fact]
    public async Task Sha256_credentials_are_challenged_again_when_only_md5_is_offered()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var client = await SipTestClient.ConnectAsync(Node, alice);
        var register = client.CreateRequest(SipMethods.Register, new SipUri("sip", null, ParleyTestNode.Domain), client.Aor);
        var challenge = await client.SendAsync(register.Clone());

        // Right password, our nonce, but SHA-256, which this deployment does not offer.
        var response = await client.SendAsync(WithCredentials(client, register, challenge, DigestAlgorithm.Sha256));

        Assert.Equal(401, response.StatusCode);
        Assert.Equal(200, (await client.SendAsync(WithCredentials(client, register, response, DigestAlgorithm.Md5))).StatusCode);
    }

    [Fact]
    public async Task Wrong_password_is_challenged_again_and_raises_an_event_with_the_user_and_source()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var alice = await Node.CreateUserAsync("alice");
        await using var client = await SipTestClient.ConnectAsync(Node, alice);
        client.Password = "not-the-password";

        var response = await client.RegisterAsync(60);

        Assert.Equal(401, response.StatusCode);
        var raised = await Node.WaitForEventAsync(ParleyEvents.Sip.DigestFailed.Id, since, e => e.Message.Contains(alice.Jid.ToString(), StringComparison.Ordinal),
            TimeSpan.FromSeconds(5), "the digest failure");
        Assert.Contains("127.0.0.1", raised.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_user_is_answered_like_a_wrong_password_and_raises_an_event()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var ghost = new TestAccount(Parley.Xmpp.Addressing.Jid.Parse($"ghost-{Guid.NewGuid():N}@{ParleyTestNode.Domain}"), "whatever");
        await using var client = await SipTestClient.ConnectAsync(Node, ghost);

        var response = await client.RegisterAsync(60);

        Assert.Equal(401, response.StatusCode);
        await Node.WaitForEventAsync(ParleyEvents.Sip.UnknownUser.Id, since, e => e.Message.Contains(ghost.Local, StringComparison.Ordinal), TimeSpan.FromSeconds(5), "the unknown user");
    }

    [Fact]
    public async Task An_expired_nonce_with_the_right_password_gets_a_new_challenge_with_stale_true()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var client = await SipTestClient.ConnectAsync(Node, alice);
        var register = client.CreateRequest(SipMethods.Register, new SipUri("sip", null, ParleyTestNode.Domain), client.Aor);
        var challenge = await client.SendAsync(register.Clone());
        var old = new NonceService(new NonceSecret(Node.DataDirectory), new SipServerOptions(), new FixedTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-10))).Create();

        var response = await client.SendAsync(client.Authorize(register, challenge, nonceOverride: old));

        Assert.Equal(401, response.StatusCode);
        Assert.All(response.Headers.GetAll(SipHeaderNames.WwwAuthenticate).Select(DigestChallengeOf), c => Assert.True(c.Stale));
        Assert.Equal(200, (await client.SendAsync(client.Authorize(register, response))).StatusCode);
    }

    [Fact]
    public async Task A_forged_nonce_gets_a_fresh_challenge_without_stale()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var client = await SipTestClient.ConnectAsync(Node, alice);
        var register = client.CreateRequest(SipMethods.Register, new SipUri("sip", null, ParleyTestNode.Domain), client.Aor);
        var challenge = await client.SendAsync(register.Clone());

        var response = await client.SendAsync(client.Authorize(register, challenge, nonceOverride: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));

        Assert.Equal(401, response.StatusCode);
        Assert.All(response.Headers.GetAll(SipHeaderNames.WwwAuthenticate).Select(DigestChallengeOf), c => Assert.False(c.Stale));
    }

    [Fact]
    public async Task A_request_whose_from_is_another_user_than_the_authenticated_one_is_forbidden()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var client = await SipTestClient.ConnectAsync(Node, alice);
        var message = client.CreateRequest(SipMethods.Message, new SipUri("sip", alice.Local, ParleyTestNode.Domain));
        message.Headers.Set(SipHeaderNames.From, new NameAddress(new SipUri("sip", bob.Local, ParleyTestNode.Domain)) { Tag = "x1" }.ToString());
        message.ContentType = "text/plain";
        message.Body = "pretending"u8.ToArray();

        var response = await client.SendAuthenticatedAsync(message);

        Assert.Equal(403, response.StatusCode);
        await Node.WaitForEventAsync(ParleyEvents.Sip.IdentityMismatch.Id, since, e => e.Message.Contains(bob.Jid.ToString(), StringComparison.Ordinal),
            TimeSpan.FromSeconds(5), "the identity mismatch");
    }

    [Fact]
    public async Task A_disabled_user_is_forbidden_and_an_event_names_them()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var alice = await Node.CreateUserAsync("alice");
        await Node.DisableUserAsync(alice);
        await using var client = await SipTestClient.ConnectAsync(Node, alice);

        var response = await client.RegisterAsync(60);

        Assert.Equal(403, response.StatusCode);
        await Node.WaitForEventAsync(ParleyEvents.Sip.DisabledAccount.Id, since, e => e.Message.Contains(alice.Jid.ToString(), StringComparison.Ordinal),
            TimeSpan.FromSeconds(5), "the disabled account");
    }

    [Fact]
    public async Task A_user_created_before_sip_support_is_refused_with_an_event_telling_to_reset_the_password()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var alice = await Node.CreateUserAsync("alice");
        await Node.Store.Database.WriteAsync("simulating an account from before SIP", session => session.Execute(
            "DELETE FROM sip_digest_credentials WHERE user_id = (SELECT id FROM users WHERE jid = $jid)", ("$jid", alice.Jid.ToString())), CancellationToken.None);
        await using var client = await SipTestClient.ConnectAsync(Node, alice);

        var response = await client.RegisterAsync(60);

        Assert.Equal(403, response.StatusCode);
        var raised = await Node.WaitForEventAsync(ParleyEvents.Sip.NoSipCredentials.Id, since, e => e.Message.Contains(alice.Jid.ToString(), StringComparison.Ordinal),
            TimeSpan.FromSeconds(5), "the missing SIP credentials");
        Assert.Contains("parley user passwd", raised.Resolution, StringComparison.Ordinal);

        await Node.Store.Users.SetPasswordAsync(alice.Jid, alice.Password, TestStore.Actor, CancellationToken.None);
        Assert.Equal(200, (await client.RegisterAsync(60)).StatusCode);
    }

    internal static DigestChallenge DigestChallengeOf(string value)
        => DigestChallenge.TryParse(value, out var challenge) ? challenge : throw new Xunit.Sdk.XunitException($"Not a digest challenge: {value}");

    /// <summary>
    /// <paramref name="request"/> (new branch and CSeq) with credentials computed in <paramref name="algorithm"/> over the
    /// nonce of the first challenge, whatever algorithm that challenge named: what a client insisting on one algorithm sends.
    /// </summary>
    internal static SipRequest WithCredentials(SipTestClient client, SipRequest request, SipResponse challengeResponse, DigestAlgorithm algorithm)
    {
        var header = challengeResponse.StatusCode == 407 ? SipHeaderNames.ProxyAuthenticate : SipHeaderNames.WwwAuthenticate;
        var challenge = DigestChallengeOf(challengeResponse.Headers[header]!);
        var retry = request.Clone();
        retry.Headers.Set(SipHeaderNames.Via, client.CreateRequest(request.Method, request.RequestUri).Headers[SipHeaderNames.Via]!);
        retry.CSeq = new CSeqHeader(request.CSeq.Number + 100, request.Method);
        var uri = retry.RequestUri.ToString();
        var ha1 = DigestCalculator.HA1(algorithm, client.Account.Local, challenge.Realm, client.Password);
        var ha2 = DigestCalculator.HA2(algorithm, retry.Method, uri, "auth");
        var credentials = new DigestCredentials
        {
            Username = client.Account.Local,
            Realm = challenge.Realm,
            Nonce = challenge.Nonce,
            Uri = uri,
            Response = DigestCalculator.Response(algorithm, ha1, challenge.Nonce, "00000001", "c0ffee", "auth", ha2),
            Algorithm = algorithm,
            Cnonce = "c0ffee",
            Qop = "auth",
            NonceCount = "00000001",
        };
        retry.Headers.Set(challengeResponse.StatusCode == 407 ? SipHeaderNames.ProxyAuthorization : SipHeaderNames.Authorization, credentials.ToString());
        return retry;
    }
}

/// <summary>A node configured to offer SHA-256 before MD5 (RFC 7616 §3.7), as deployments whose clients support it should.</summary>
public sealed class Sha256FirstSipNodeFixture : ParleyNodeFixture
{
    protected override SipServerOptions Sip => SipNodeFixture.TestOptions with { DigestAlgorithms = [DigestAlgorithm.Sha256, DigestAlgorithm.Md5] };
}

/// <summary>A node configured to offer SHA-256 only (no MD5 at all).</summary>
public sealed class Sha256OnlySipNodeFixture : ParleyNodeFixture
{
    protected override SipServerOptions Sip => SipNodeFixture.TestOptions with { DigestAlgorithms = [DigestAlgorithm.Sha256] };
}

/// <summary>Digest authentication when SHA-256 is configured first, then MD5.</summary>
public sealed class Sha256DigestAuthenticationTests(Sha256FirstSipNodeFixture fixture) : IClassFixture<Sha256FirstSipNodeFixture>
{
    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task Challenges_offer_sha256_first_then_md5_for_register_and_other_requests()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var client = await SipTestClient.ConnectAsync(Node, alice);
        var message = client.CreateRequest(SipMethods.Message, new SipUri("sip", bob.Local, ParleyTestNode.Domain));
        message.ContentType = "text/plain";
        message.Body = "hi"u8.ToArray();

        var register = await client.SendAsync(client.CreateRequest(SipMethods.Register, new SipUri("sip", null, ParleyTestNode.Domain), client.Aor));
        var other = await client.SendAsync(message);

        Assert.Equal([DigestAlgorithm.Sha256, DigestAlgorithm.Md5], register.Headers.GetAll(SipHeaderNames.WwwAuthenticate).Select(v => DigestAuthenticationTests.DigestChallengeOf(v).Algorithm));
        Assert.Equal([DigestAlgorithm.Sha256, DigestAlgorithm.Md5], other.Headers.GetAll(SipHeaderNames.ProxyAuthenticate).Select(v => DigestAuthenticationTests.DigestChallengeOf(v).Algorithm));
    }

    [Theory]
    [InlineData(DigestAlgorithm.Sha256, "UDP")]
    [InlineData(DigestAlgorithm.Md5, "UDP")]
    [InlineData(DigestAlgorithm.Sha256, "TCP")]
    [InlineData(DigestAlgorithm.Sha256, "TLS")]
    public async Task Register_with_the_right_password_succeeds_in_either_algorithm(DigestAlgorithm algorithm, string transport)
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var client = await SipTestClient.ConnectAsync(Node, alice, transport);
        client.Algorithm = algorithm;

        Assert.Equal(200, (await client.RegisterAsync(60)).StatusCode);
    }

    [Fact]
    public async Task A_sha256_page_mode_message_is_accepted()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var client = await SipTestClient.ConnectAsync(Node, alice);
        client.Algorithm = DigestAlgorithm.Sha256;

        var response = await client.SendMessageAsync(bob, "hello over SHA-256");

        Assert.Equal(202, response.StatusCode); // bob is offline: stored
    }
}

/// <summary>Digest authentication when only SHA-256 is configured: MD5 is refused even with the right password.</summary>
public sealed class Sha256OnlyDigestAuthenticationTests(Sha256OnlySipNodeFixture fixture) : IClassFixture<Sha256OnlySipNodeFixture>
{
    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task Md5_credentials_are_challenged_again_and_sha256_ones_accepted()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var client = await SipTestClient.ConnectAsync(Node, alice);
        var register = client.CreateRequest(SipMethods.Register, new SipUri("sip", null, ParleyTestNode.Domain), client.Aor);
        var challenge = await client.SendAsync(register.Clone());
        Assert.Equal([DigestAlgorithm.Sha256], challenge.Headers.GetAll(SipHeaderNames.WwwAuthenticate).Select(v => DigestAuthenticationTests.DigestChallengeOf(v).Algorithm));

        var md5 = await client.SendAsync(DigestAuthenticationTests.WithCredentials(client, register, challenge, DigestAlgorithm.Md5));

        Assert.Equal(401, md5.StatusCode);
        Assert.Equal(200, (await client.SendAsync(DigestAuthenticationTests.WithCredentials(client, register, md5, DigestAlgorithm.Sha256))).StatusCode);
    }
}
