using Parley.Server.Diagnostics;
using Parley.Server.Tests.Xmpp.Support;
using Parley.Xmpp;

namespace Parley.Server.Tests.Xmpp;

/// <summary>RFC 6120 §4–6: stream headers, STARTTLS, SASL, and what is refused before authentication.</summary>
public sealed class StreamNegotiationTests(ParleyNodeFixture fixture) : IClassFixture<ParleyNodeFixture>
{
    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task Features_before_tls_offer_only_required_starttls_rfc6120_5_3_1()
    {
        await using var client = await XmppTestClient.ConnectAsync(Node);

        var features = await client.OpenStreamAsync();

        Assert.True(features.Is("features", XmppNamespaces.Streams), $"Expected stream features, got {features}");
        var offered = Assert.Single(features.Elements());
        Assert.True(offered.Is("starttls", XmppNamespaces.Tls));
        var required = Assert.Single(offered.Elements());
        Assert.True(required.Is("required", XmppNamespaces.Tls));
        Assert.Equal(ParleyTestNode.Domain, client.StreamHeader!.GetAttribute("from"));
        Assert.False(string.IsNullOrEmpty(client.StreamHeader.GetAttribute("id")));
        Assert.Equal("1.0", client.StreamHeader.GetAttribute("version"));
    }

    [Fact]
    public async Task Auth_before_starttls_fails_with_encryption_required_rfc6120_6_4_5()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var client = await XmppTestClient.ConnectAsync(Node);
        await client.OpenStreamAsync();

        var outcome = await client.SaslPlainAsync(alice.Local, alice.Password);

        Assert.True(outcome.Is("failure", XmppNamespaces.Sasl), $"Expected <failure/>, got {outcome}");
        Assert.Equal("encryption-required", Assert.Single(outcome.Elements()).Name);
    }

    [Fact]
    public async Task After_tls_the_mechanisms_are_scram_sha_256_scram_sha_1_and_plain_rfc6120_6_3_3()
    {
        await using var client = await XmppTestClient.ConnectAsync(Node);
        await client.OpenStreamAsync();

        var features = await client.StartTlsAsync();

        Assert.Null(features.Child("starttls", XmppNamespaces.Tls));
        var mechanisms = features.Child("mechanisms", XmppNamespaces.Sasl);
        Assert.NotNull(mechanisms);
        Assert.Equal(["SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"], mechanisms.Elements().Select(m => m.Text).ToArray());
    }

    [Theory]
    [InlineData("SCRAM-SHA-256")]
    [InlineData("SCRAM-SHA-1")]
    [InlineData("PLAIN")]
    public async Task Each_offered_mechanism_authenticates_and_the_restarted_stream_offers_bind_rfc6120_6_4_6(string mechanism)
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var client = await XmppTestClient.ConnectAsync(Node);
        await client.OpenStreamAsync();
        await client.StartTlsAsync();

        var outcome = mechanism == "PLAIN"
            ? await client.SaslPlainAsync(alice.Local, alice.Password)
            : await client.SaslScramAsync(mechanism, alice.Local, alice.Password);

        Assert.True(outcome.Is("success", XmppNamespaces.Sasl), $"Expected <success/>, got {outcome}");
        var features = await client.OpenStreamAsync();
        Assert.NotNull(features.Child("bind", XmppNamespaces.Bind));
        Assert.NotNull(features.Child("sm", XmppNamespaces.StreamManagement));
        Assert.Null(features.Child("mechanisms", XmppNamespaces.Sasl));
    }

    [Fact]
    public async Task Wrong_password_fails_with_not_authorized_and_raises_event_3000_rfc6120_6_5_10()
    {
        var alice = await Node.CreateUserAsync("alice");
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        await using var client = await XmppTestClient.ConnectAsync(Node);
        await client.OpenStreamAsync();
        await client.StartTlsAsync();

        var outcome = await client.SaslPlainAsync(alice.Local, "not-the-password");

        Assert.True(outcome.Is("failure", XmppNamespaces.Sasl), $"Expected <failure/>, got {outcome}");
        Assert.Equal("not-authorized", Assert.Single(outcome.Elements()).Name);
        var raised = await Node.WaitForEventAsync(ParleyEvents.Authentication.Failed.Id, since,
            e => e.Message.Contains(alice.Jid.ToString(), StringComparison.Ordinal), TimeSpan.FromSeconds(5), $"the failed login of {alice}");
        Assert.Equal(3000, raised.Id);
        Assert.Contains("PLAIN", raised.Message);
    }

    [Fact]
    public async Task Repeated_wrong_passwords_on_one_stream_end_it_with_policy_violation()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var client = await XmppTestClient.ConnectAsync(Node);
        await client.OpenStreamAsync();
        await client.StartTlsAsync();

        for (var i = 0; i < 3; i++)
        {
            await client.SendAsync($"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>{Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"\0{alice.Local}\0wrong{i}"))}</auth>");
        }

        for (var i = 0; i < 3; i++)
        {
            var failure = await client.ReceiveAsync(e => e.Is("failure", XmppNamespaces.Sasl), $"failure {i + 1}");
            Assert.Equal("not-authorized", failure.FirstChild()?.Name);
        }

        await client.ExpectStreamErrorAsync("policy-violation");
    }

    [Fact]
    public async Task Wrong_scram_proof_fails_with_not_authorized_rfc5802()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var client = await XmppTestClient.ConnectAsync(Node);
        await client.OpenStreamAsync();
        await client.StartTlsAsync();

        var outcome = await client.SaslScramAsync("SCRAM-SHA-256", alice.Local, "wrong");

        Assert.True(outcome.Is("failure", XmppNamespaces.Sasl), $"Expected <failure/>, got {outcome}");
        Assert.Equal("not-authorized", Assert.Single(outcome.Elements()).Name);
    }

    [Fact]
    public async Task Disabled_user_fails_with_account_disabled_rfc6120_6_5_1()
    {
        var alice = await Node.CreateUserAsync("alice");
        await Node.DisableUserAsync(alice);
        await using var client = await XmppTestClient.ConnectAsync(Node);
        await client.OpenStreamAsync();
        await client.StartTlsAsync();

        var outcome = await client.SaslPlainAsync(alice.Local, alice.Password);

        Assert.True(outcome.Is("failure", XmppNamespaces.Sasl), $"Expected <failure/>, got {outcome}");
        Assert.Equal("account-disabled", Assert.Single(outcome.Elements()).Name);
    }

    [Fact]
    public async Task Unknown_to_domain_gets_host_unknown_stream_error_rfc6120_4_9_3_6()
    {
        await using var client = await XmppTestClient.ConnectAsync(Node);

        var answer = await client.OpenStreamAsync(to: "example.org");

        Assert.True(answer.Is("error", XmppNamespaces.Streams), $"Expected <stream:error/>, got {answer}");
        Assert.Equal("host-unknown", answer.FirstChild(XmppNamespaces.StreamErrors)?.Name);
        await client.ExpectClosedAsync();
    }

    [Fact]
    public async Task A_stanza_before_tls_is_a_stream_error_rfc6120_5_3_1()
    {
        await using var client = await XmppTestClient.ConnectAsync(Node);
        await client.OpenStreamAsync();

        await client.SendAsync("<message to='someone@example.com'><body>hi</body></message>");

        await client.ExpectStreamErrorAsync("policy-violation");
    }

    [Fact]
    public async Task A_stanza_after_tls_but_before_auth_is_a_not_authorized_stream_error_rfc6120_6_4_7()
    {
        await using var client = await XmppTestClient.ConnectAsync(Node);
        await client.OpenStreamAsync();
        await client.StartTlsAsync();

        await client.SendAsync("<message to='someone@example.com'><body>hi</body></message>");

        await client.ExpectStreamErrorAsync("not-authorized");
    }

    [Fact]
    public async Task A_stanza_after_auth_but_before_bind_is_refused_rfc6120_7_1()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var client = await XmppTestClient.ConnectAsync(Node);
        await client.AuthenticateAsync(alice);

        await client.SendAsync("<message to='someone@example.com'><body>hi</body></message>");

        await client.ExpectStreamErrorAsync("not-authorized");
    }
}
