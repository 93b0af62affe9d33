using Parley.Server.Management.Documents;

namespace Parley.Server.Tests.Management.Documents;

/// <summary>The federation documents' rules (seed 003 ch.4–6 and ch.9): one test per rule, each naming the field.</summary>
public sealed class FederationValidationTests
{
    private static readonly DeploymentConfiguration Valid = SampleConfigurations.Small();

    [Theory]
    [InlineData("example.net")]
    [InlineData("*.example.net")]
    [InlineData("com.example.*")]
    [InlineData(".com.example.*")]
    [InlineData(".com.example.lyncserver")]
    [InlineData("EXAMPLE.net.")]
    public void Route_patterns_are_accepted_forwards_and_reversed(string pattern)
        => Assert.Empty(ConfigurationValidator.Validate(WithRoutes(new StaticRoute(pattern, "lync.example.net", 5061))));

    [Theory]
    [InlineData("+1408*")]
    [InlineData("alice")]
    public void User_route_patterns_are_a_user_or_a_prefix(string pattern)
        => Assert.Empty(ConfigurationValidator.Validate(WithRoutes(new StaticRoute(pattern, "10.0.0.1", 5061) { RouteType = StaticRouteType.User })));

    [Theory]
    [InlineData("al*ce")]
    [InlineData("*")]
    [InlineData("alice@example.com")]
    public void A_malformed_user_pattern_is_refused_with_the_user_fix(string pattern)
    {
        var error = Single(WithRoutes(new StaticRoute(pattern, "10.0.0.1", 5061) { RouteType = StaticRouteType.User }));

        Assert.Equal("staticRoutes[0].pattern", error.Field);
        Assert.Contains("not a user pattern", error.Problem);
        Assert.Contains("+1408*", error.Fix);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65536)]
    [InlineData(int.MaxValue)]
    public void A_priority_outside_1_to_65535_is_refused(int priority)
    {
        var error = Single(WithRoutes(new StaticRoute("partner.com", "10.0.0.1", 5061) { Priority = priority }));

        Assert.Equal("staticRoutes[0].priority", error.Field);
        Assert.Contains("1 for the primary", error.Fix);
    }

    [Fact]
    public void A_primary_and_its_backups_share_a_pattern()
    {
        var routes = WithRoutes(
            new StaticRoute("partner.com", "10.0.0.1", 5061),
            new StaticRoute(".com.partner.*", "10.0.0.2", 5061) { Priority = 2 },
            new StaticRoute("*.partner.com", "10.0.0.1", 5060, "tcp") { Priority = 3 });

        Assert.Empty(ConfigurationValidator.Validate(routes));
    }

    [Fact]
    public void The_same_route_twice_is_refused_whatever_form_its_pattern_is_typed_in()
    {
        var error = Single(WithRoutes(new StaticRoute("partner.com", "10.0.0.1", 5061), new StaticRoute("com.partner.*", "10.0.0.1", 5061)));

        Assert.Equal("staticRoutes[1].pattern", error.Field);
        Assert.Contains("listed twice (also staticRoutes[0]", error.Problem);
    }

    [Fact]
    public void A_backup_to_the_same_next_hop_and_port_is_refused()
    {
        var error = Single(WithRoutes(new StaticRoute("partner.com", "LYNC.partner.com", 5061), new StaticRoute("partner.com", "lync.partner.com", 5061) { Priority = 2 }));

        Assert.Equal("staticRoutes[1].nextHop", error.Field);
        Assert.Contains("different next hop", error.Fix);
    }

    [Fact]
    public void The_suggested_backup_priority_follows_the_highest_in_use()
    {
        var error = Single(WithRoutes(
            new StaticRoute("partner.com", "10.0.0.1", 5061),
            new StaticRoute("partner.com", "10.0.0.2", 5061) { Priority = 2 },
            new StaticRoute("partner.com", "10.0.0.3", 5061) { Priority = 2 }));

        Assert.Equal("staticRoutes[2].priority", error.Field);
        Assert.Contains("staticRoutes[1] already routes .com.partner.* with priority 2", error.Problem);
        Assert.Contains("use priority 3", error.Fix);
    }

    [Fact]
    public void An_exact_host_and_its_domain_are_different_patterns()
        => Assert.Empty(ConfigurationValidator.Validate(WithRoutes(new StaticRoute("partner.com", "10.0.0.1", 5061), new StaticRoute(".com.partner.lync", "10.0.0.2", 5061))));

    [Fact]
    public void An_unknown_route_type_or_flavour_is_refused()
    {
        var errors = ConfigurationValidator.Validate(WithRoutes(new StaticRoute("partner.com", "10.0.0.1", 5061) { RouteType = (StaticRouteType)7, Flavour = (PeerFlavour)9 }));

        Assert.Equal(["staticRoutes[0].routeType", "staticRoutes[0].flavour"], errors.Select(e => e.Field).ToArray());
        Assert.Contains("domain", errors[0].Fix);
        Assert.Contains("generic", errors[1].Fix);
    }

    [Theory]
    [InlineData("10.0.0.300")]
    [InlineData("lync.partner.com:5061")]
    [InlineData("")]
    public void A_next_hop_that_is_neither_an_fqdn_nor_an_ip_is_refused(string hop)
    {
        var error = Single(WithRoutes(new StaticRoute("partner.com", hop, 5061)));

        Assert.Equal("staticRoutes[0].nextHop", error.Field);
    }

    [Theory]
    [InlineData("all")]
    [InlineData("ALL")]
    [InlineData("10.1.10.100")]
    [InlineData("2001:db8::/32")]
    [InlineData("lync.partner.com")]
    [InlineData("partner.com")]
    public void Acl_entries_are_all_an_address_a_network_or_a_dns_name(string address)
        => Assert.Empty(ConfigurationValidator.Validate(Valid with { IncomingAcl = [new AclEntry(address)] }));

    [Fact]
    public void Acl_names_and_all_are_duplicates_whatever_their_case()
    {
        var errors = ConfigurationValidator.Validate(Valid with
        {
            IncomingAcl = [new AclEntry("All"), new AclEntry("Lync.Partner.com"), new AclEntry("all"), new AclEntry("lync.partner.com")],
        });

        Assert.Equal(["incomingAcl[2].address", "incomingAcl[3].address"], errors.Select(e => e.Field).ToArray());
        Assert.Contains("all is listed twice (also incomingAcl[0])", errors[0].Problem);
    }

    [Fact]
    public void A_node_has_one_tls_listener_per_port()
    {
        var error = Single(Valid with { TlsListeners = [new TlsListener("fe1.example.com", 5063, true), new TlsListener("FE1.example.com", 5063, false)] });

        Assert.Equal("tlsListeners[1].port", error.Field);
        Assert.Contains("one entry per node and port", error.Fix);
    }

    [Fact]
    public void A_node_has_at_most_one_peer_auth_listener()
    {
        var error = Single(Valid with { TlsListeners = [new TlsListener("fe1.example.com", 5063, true), new TlsListener("fe1.example.com", 5064, true)] });

        Assert.Equal("tlsListeners[1].mutualTls", error.Field);
        Assert.Contains("tlsListeners[0], port 5063", error.Problem);
    }

    [Fact]
    public void A_tls_listener_may_not_take_a_port_of_another_listener_of_its_node()
    {
        var error = Single(Valid with { TlsListeners = [new TlsListener("fe1.example.com", 5222, true)] });

        Assert.Equal("tlsListeners[0].port", error.Field);
        Assert.Contains("topology.nodes[1].listeners.xmpp (node fe1.example.com)", error.Problem);
    }

    [Fact]
    public void A_tls_listener_is_the_topology_listener_of_its_own_kind_but_not_of_the_other()
    {
        var nodes = Valid.Topology.Nodes.Select(n => n.Fqdn == "fe1.example.com" ? n with { Listeners = n.Listeners with { SipPeerTls = 5061 } } : n).ToArray();
        var configuration = Valid with { Topology = Valid.Topology with { Nodes = nodes } };

        Assert.Empty(ConfigurationValidator.Validate(configuration with { TlsListeners = [new TlsListener("fe1.example.com", 5061, true), new TlsListener("fe1.example.com", 5062, false)] }));
        var error = Single(configuration with { TlsListeners = [new TlsListener("fe1.example.com", 5062, true)] });
        Assert.Equal("tlsListeners[0].port", error.Field);
        Assert.Contains("listeners.sipTls", error.Problem);
    }

    [Fact]
    public void A_tls_listener_may_not_take_a_port_of_a_node_sharing_its_address()
    {
        var nodes = Valid.Topology.Nodes.Select(n => n.Fqdn == "fe2.example.com" ? n with { Ip = "127.0.0.11", Listeners = new() { Xmpp = 5223, Sip = 5070, SipTls = 5072, ReplicaAgent = 4444, Admin = 8444 } } : n).ToArray();
        var configuration = Valid with { Topology = Valid.Topology with { Nodes = nodes }, TlsListeners = [new TlsListener("fe1.example.com", 5072, true)] };

        var error = Single(configuration);

        Assert.Equal("tlsListeners[0].port", error.Field);
        Assert.Contains("topology.nodes[2].listeners.sipTls (node fe2.example.com)", error.Problem);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("*.partner.com", "wildcard")]
    [InlineData("CN=lync.partner.com", "distinguished name")]
    [InlineData("lync.partner.com, O=Partner", "distinguished name")]
    [InlineData("a123456789b123456789c123456789d123456789e123456789f123456789g123.com", "at most 64")]
    public void A_peer_subject_must_be_a_plain_common_name(string subject, string problem)
    {
        var error = Single(Valid with { TlsPeerSubjects = [new TlsPeerSubject(subject)] });

        Assert.Equal("tlsPeerSubjects[0].subject", error.Field);
        Assert.Contains(problem, error.Problem);
    }

    [Fact]
    public void Peer_subjects_are_compared_without_case()
    {
        var error = Single(Valid with { TlsPeerSubjects = [new TlsPeerSubject("Lync.Partner.com"), new TlsPeerSubject("lync.partner.COM")] });

        Assert.Equal("tlsPeerSubjects[1].subject", error.Field);
        Assert.Contains("listed twice", error.Problem);
    }

    [Fact]
    public void A_sip_federation_domain_with_a_route_is_valid()
        => Assert.Empty(ConfigurationValidator.Validate(Valid with { SipFederationDomains = [new SipFederationDomain("Remote.partner.NET", "interdomain")] }));

    [Fact]
    public void A_sip_federation_domain_may_wait_for_its_route_because_the_seed_configures_the_domain_first()
    {
        Assert.Empty(ConfigurationValidator.Validate(Valid with { SipFederationDomains = [new SipFederationDomain("remote.com")] }));
    }

    [Fact]
    public void A_hosted_domain_cannot_be_a_sip_federation_domain()
    {
        var error = Single(WithRoutes(new StaticRoute("example.org", "10.0.0.1", 5061)) with { SipFederationDomains = [new SipFederationDomain("EXAMPLE.org")] });

        Assert.Equal("sipFederationDomains[0].domain", error.Field);
        Assert.Contains("example.org is a hosted domain (domains[1])", error.Problem);
        Assert.Contains("either hosted here", error.Fix);
    }

    [Theory]
    [InlineData("remote .com", "not a valid domain name")]
    [InlineData("remote.com", "listed twice")]
    public void A_sip_federation_domain_is_a_valid_name_listed_once(string second, string problem)
    {
        var error = Single(WithRoutes(new StaticRoute("remote.com", "10.0.0.1", 5061)) with
        {
            SipFederationDomains = [new SipFederationDomain("Remote.com"), new SipFederationDomain(second)],
        });

        Assert.Equal("sipFederationDomains[1].domain", error.Field);
        Assert.Contains(problem, error.Problem);
    }

    [Fact]
    public void An_unknown_routing_mode_is_refused()
    {
        var error = Single(Valid with { Federation = Valid.Federation with { RoutingMode = (FederationRoutingMode)5 } });

        Assert.Equal("federation.routingMode", error.Field);
        Assert.Contains("basic or advanced", error.Fix);
    }

    private static DeploymentConfiguration WithRoutes(params StaticRoute[] routes) => Valid with { StaticRoutes = routes };

    private static ConfigurationError Single(DeploymentConfiguration configuration)
    {
        var errors = ConfigurationValidator.Validate(configuration);
        Assert.True(errors.Count == 1, "expected one error, got:\n" + string.Join('\n', errors));
        Assert.False(string.IsNullOrWhiteSpace(errors[0].Fix));
        return errors[0];
    }
}
