using Parley.Server.Diagnostics;
using Parley.Server.Federation.Outbound;
using Parley.Server.Management.Documents;
using Parley.Server.Storage;
using Parley.Server.Tests.Support;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Tests.Federation.Outbound;

/// <summary>Recipient classification: Basic and Advanced mode, SIP federation domains, route choice, the no-route event.</summary>
public sealed class FederationRoutingTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly Jid Alice = Jid.Parse("alice@example.com");
    private static readonly Jid Bob = Jid.Parse("bob@example.com/desk");
    private readonly TempDirectory _temp = new();
    private readonly RecordingEventLog _events = new();
    private readonly FederationHarness.TestSettings _settings = new(new DeploymentConfiguration { Domains = ["example.com"] });
    private ParleyStore _store = null!;
    private FederationRouting _routing = null!;
    private PeerAddressDirectory _peerAddresses = null!;

    public async Task InitializeAsync()
    {
        _store = await TestStore.OpenWithDomainAsync(_temp.Path);
        await _store.Users.AddUserAsync(Alice, "secret-password", TestStore.Actor, None);
        _peerAddresses = new PeerAddressDirectory(_store.Database, TimeProvider.System);
        _routing = new FederationRouting(_settings, _store.Users, _peerAddresses, new FederationOutboundOptions(), _events, TimeProvider.System);
        Enable(FederationRoutingMode.Basic, new StaticRoute("example.com", "lync.example.com", 5061));
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task Basic_mode_sends_a_non_local_user_of_a_hosted_domain_to_the_peer()
    {
        var result = await _routing.ClassifyAsync(Bob, None);

        Assert.Equal(RecipientKind.Peer, result.Kind);
        Assert.Equal("lync.example.com", Assert.Single(result.Routes!.Routes).NextHop);
    }

    [Fact]
    public async Task A_local_user_is_local()
        => Assert.Equal(RecipientKind.Local, (await _routing.ClassifyAsync(Alice, None)).Kind);

    [Fact]
    public async Task With_federation_off_nothing_is_federated()
    {
        _settings.Change(c => c with { Federation = new FederationOptions { Enabled = false } });

        Assert.Equal(RecipientKind.NotFederated, (await _routing.ClassifyAsync(Bob, None)).Kind);
    }

    [Fact]
    public async Task A_domain_neither_hosted_nor_a_sip_federation_domain_is_not_federated()
        => Assert.Equal(RecipientKind.NotFederated, (await _routing.ClassifyAsync(Jid.Parse("carol@elsewhere.org"), None)).Kind);

    [Fact]
    public async Task Advanced_mode_sends_only_users_of_the_peer_address_directory()
    {
        Enable(FederationRoutingMode.Advanced, new StaticRoute("example.com", "lync.example.com", 5061));
        Assert.Equal(RecipientKind.NotFederated, (await _routing.ClassifyAsync(Bob, None)).Kind);

        await _peerAddresses.AddAsync([PeerAddressDirectory.Parse("sip:bob@example.com", out _)!], None);

        Assert.Equal(RecipientKind.Peer, (await _routing.ClassifyAsync(Bob, None)).Kind);
    }

    [Fact]
    public async Task A_sip_federation_domain_goes_to_the_peer_by_the_route_matching_it()
    {
        _settings.Change(c => c with
        {
            SipFederationDomains = [new SipFederationDomain("partner.net")],
            StaticRoutes = [.. c.StaticRoutes, new StaticRoute("partner.net", "edge.example.com", 5061)],
        });

        var result = await _routing.ClassifyAsync(Jid.Parse("dave@partner.net"), None);

        Assert.Equal(RecipientKind.Peer, result.Kind);
        Assert.Equal("edge.example.com", Assert.Single(result.Routes!.Routes).NextHop);
    }

    [Fact]
    public async Task The_most_specific_pattern_wins_and_its_routes_come_by_priority()
    {
        Enable(FederationRoutingMode.Basic,
            new StaticRoute("com.*", "wide.example.net", 5061),
            new StaticRoute(".com.example.*", "backup.example.com", 5061) { Priority = 2 },
            new StaticRoute("*.example.com", "primary.example.com", 5061) { Priority = 1 });

        var result = await _routing.ClassifyAsync(Bob, None);

        Assert.Equal(".com.example.*", result.Routes!.Pattern);
        Assert.Equal(["primary.example.com", "backup.example.com"], result.Routes.Routes.Select(r => r.NextHop));
    }

    [Fact]
    public async Task No_matching_route_raises_one_event_naming_the_domain_and_the_fix()
    {
        Enable(FederationRoutingMode.Basic, new StaticRoute("other.org", "lync.other.org", 5061));

        Assert.Equal(RecipientKind.NoRoute, (await _routing.ClassifyAsync(Bob, None)).Kind);
        Assert.Equal(RecipientKind.NoRoute, (await _routing.ClassifyAsync(Jid.Parse("carol@example.com"), None)).Kind);

        var raised = Assert.Single(_events.Raised, e => e.Definition == ParleyEvents.Federation.NoStaticRoute);
        Assert.Equal("example.com", raised.Args[0]);
        Assert.Contains("parley federation route add --pattern {0}", raised.Definition.Resolution, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configuration_changes_apply_to_the_next_classification()
    {
        Assert.Equal(RecipientKind.Peer, (await _routing.ClassifyAsync(Bob, None)).Kind);

        _settings.Change(c => c with { StaticRoutes = [] });

        Assert.Equal(RecipientKind.NoRoute, (await _routing.ClassifyAsync(Bob, None)).Kind);
    }

    private void Enable(FederationRoutingMode mode, params StaticRoute[] routes)
        => _settings.Change(c => c with { Federation = new FederationOptions { Enabled = true, RoutingMode = mode }, StaticRoutes = routes });
}
