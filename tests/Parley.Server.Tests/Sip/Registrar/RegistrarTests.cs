using System.Globalization;
using Parley.Server.Diagnostics;
using Parley.Server.Tests.Sip.Support;
using Parley.Server.Tests.Xmpp.Support;
using Parley.Sip.Messages;

namespace Parley.Server.Tests.Sip.Registrar;

/// <summary>The registrar (RFC 3261 §10.3).</summary>
public sealed class RegistrarTests(SipNodeFixture fixture) : IClassFixture<SipNodeFixture>
{
    private ParleyTestNode Node => fixture.Node;

    [Fact]
    public async Task A_user_may_register_several_contacts_and_the_200_lists_them_all_with_their_expiry()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);
        await using var desk = await SipTestClient.ConnectAsync(Node, alice, "TCP");

        Assert.Equal(200, (await phone.RegisterAsync(600)).StatusCode);
        var response = await desk.RegisterAsync(300);

        Assert.Equal(200, response.StatusCode);
        var bindings = SipTestClient.Bindings(response);
        Assert.Equal(2, bindings.Count);
        Assert.InRange(bindings.Single(b => b.Uri.Equals(phone.Contact)).Expires, 595, 600);
        Assert.InRange(bindings.Single(b => b.Uri.Equals(desk.Contact)).Expires, 295, 300);
    }

    [Fact]
    public async Task Expires_zero_removes_that_contact_only()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);
        await using var desk = await SipTestClient.ConnectAsync(Node, alice);
        await phone.RegisterAsync(600);
        await desk.RegisterAsync(600);

        var response = await phone.RegisterAsync(0);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal([desk.Contact], SipTestClient.Bindings(response).Select(b => b.Uri));
    }

    [Fact]
    public async Task Contact_star_with_expires_zero_removes_every_binding()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);
        await using var desk = await SipTestClient.ConnectAsync(Node, alice);
        await phone.RegisterAsync(600);
        await desk.RegisterAsync(600);

        var response = await phone.RegisterAsync(0, decorate: r => r.Headers.Set(SipHeaderNames.Contact, "*"));

        Assert.Equal(200, response.StatusCode);
        Assert.Empty(SipTestClient.Bindings(response));
        Assert.Empty(SipTestClient.Bindings(await desk.QueryBindingsAsync()));
    }

    [Theory]
    [InlineData(SipHeaderNames.Expires, "soon")]
    [InlineData(SipHeaderNames.Contact, "<sip:broken")]
    [InlineData(SipHeaderNames.Contact, "<sip:a@127.0.0.1>;expires=-5")]
    public async Task Malformed_expires_or_contact_is_a_bad_request_and_changes_nothing(string header, string value)
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);

        var response = await phone.RegisterAsync(600, decorate: r => r.Headers.Set(header, value));

        Assert.Equal(400, response.StatusCode);
        Assert.Empty(SipTestClient.Bindings(await phone.QueryBindingsAsync()));
    }

    [Fact]
    public async Task Contact_star_with_a_non_zero_expires_is_a_bad_request()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);

        var response = await phone.RegisterAsync(60, decorate: r => r.Headers.Set(SipHeaderNames.Contact, "*"));

        Assert.Equal(400, response.StatusCode);
    }

    [Fact]
    public async Task Too_brief_an_interval_is_refused_423_with_min_expires()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);

        var response = await phone.RegisterAsync(1);

        Assert.Equal(423, response.StatusCode);
        Assert.Equal(((int)SipNodeFixture.MinExpires.TotalSeconds).ToString(CultureInfo.InvariantCulture), response.Headers[SipHeaderNames.MinExpires]);
        Assert.Empty(SipTestClient.Bindings(await phone.QueryBindingsAsync()));
    }

    [Fact]
    public async Task An_expires_parameter_on_the_contact_wins_over_the_header_and_long_requests_are_shortened_to_the_maximum()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);
        await using var desk = await SipTestClient.ConnectAsync(Node, alice);

        await phone.RegisterAsync(600, decorate: r => r.Headers.Set(SipHeaderNames.Contact, $"<{phone.Contact}>;expires=120"));
        var response = await desk.RegisterAsync(1_000_000);

        var bindings = SipTestClient.Bindings(response);
        Assert.InRange(bindings.Single(b => b.Uri.Equals(phone.Contact)).Expires, 115, 120);
        Assert.Equal(3600, bindings.Single(b => b.Uri.Equals(desk.Contact)).Expires);
    }

    [Fact]
    public async Task A_binding_expires_and_is_removed()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);
        await phone.RegisterAsync((int)SipNodeFixture.MinExpires.TotalSeconds);

        await Task.Delay(SipNodeFixture.MinExpires + TimeSpan.FromSeconds(1.5));

        Assert.Empty(SipTestClient.Bindings(await phone.QueryBindingsAsync()));
    }

    [Fact]
    public async Task A_register_with_the_same_call_id_and_an_older_cseq_is_refused_500_and_changes_nothing()
    {
        var alice = await Node.CreateUserAsync("alice");
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);
        await phone.RegisterAsync(600);
        var stale = phone.CreateRequest(SipMethods.Register, new SipUri("sip", null, ParleyTestNode.Domain), phone.Aor);
        stale.Headers.Set(SipHeaderNames.Expires, "0");
        stale.CSeq = new CSeqHeader(1, SipMethods.Register);
        var challenge = await phone.SendAsync(stale.Clone());

        var response = await phone.SendAsync(phone.Authorize(stale, challenge, keepCSeq: true));

        Assert.Equal(500, response.StatusCode);
        Assert.Single(SipTestClient.Bindings(await phone.QueryBindingsAsync()));
    }

    [Fact]
    public async Task A_user_cannot_register_another_users_address()
    {
        var alice = await Node.CreateUserAsync("alice");
        var bob = await Node.CreateUserAsync("bob");
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);
        var register = phone.CreateRequest(SipMethods.Register, new SipUri("sip", null, ParleyTestNode.Domain), new SipUri("sip", bob.Local, ParleyTestNode.Domain));

        var response = await phone.SendAuthenticatedAsync(register);

        Assert.Equal(403, response.StatusCode);
    }

    [Fact]
    public async Task Registering_more_contacts_than_allowed_is_refused_with_an_event()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var alice = await Node.CreateUserAsync("alice");
        await using var phone = await SipTestClient.ConnectAsync(Node, alice);
        var contacts = Enumerable.Range(0, 11).Select(i => $"<sip:{alice.Local}@127.0.0.1:{40000 + i}>");

        var response = await phone.RegisterAsync(600, decorate: r => r.Headers.Set(SipHeaderNames.Contact, string.Join(", ", contacts)));

        Assert.Equal(403, response.StatusCode);
        await Node.WaitForEventAsync(ParleyEvents.Sip.BindingLimitReached.Id, since, e => e.Message.Contains(alice.Jid.ToString(), StringComparison.Ordinal),
            TimeSpan.FromSeconds(5), "the registration limit");
    }
}
