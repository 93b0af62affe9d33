using Parley.Server.Configuration;
using Parley.Server.Management;
using Parley.Server.Management.Documents;

namespace Parley.Server.Tests.Management.Documents;

public sealed class ConfigurationValidatorTests
{
    private static readonly DeploymentConfiguration Valid = SampleConfigurations.Small();

    [Fact]
    public void The_sample_configuration_and_the_empty_one_are_valid()
    {
        Assert.Empty(ConfigurationValidator.Validate(Valid));
        Assert.Empty(ConfigurationValidator.Validate(new DeploymentConfiguration()));
    }

    [Fact]
    public void A_port_used_twice_on_one_node_names_the_second_listener()
    {
        var error = Single(WithNode(2, n => n with { Listeners = n.Listeners with { Sip = 5222 } }));

        Assert.Equal("topology.nodes[2].listeners.sip", error.Field);
        Assert.Contains("port 5222 is already used by topology.nodes[2].listeners.xmpp", error.Problem);
        Assert.Contains("own port", error.Fix);
    }

    [Fact]
    public void Two_nodes_on_one_address_cannot_share_a_port()
    {
        var errors = ConfigurationValidator.Validate(WithNode(2, n => n with { Ip = "127.0.0.11" }));

        // Same default ports: every listening port of the second node collides, each is named.
        Assert.Equal(5, errors.Count);
        Assert.All(errors, e => Assert.StartsWith("topology.nodes[2].listeners.", e.Field));
        var error = errors[0];
        Assert.Equal("topology.nodes[2].listeners.xmpp", error.Field);
        Assert.Contains("127.0.0.11:5222 is already used by topology.nodes[1].listeners.xmpp", error.Problem);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(65536)]
    public void A_port_out_of_range_is_refused(int port)
    {
        var error = Single(WithNode(1, n => n with { Listeners = n.Listeners with { ReplicaAgent = port } }));

        Assert.Equal("topology.nodes[1].listeners.replicaAgent", error.Field);
        Assert.Contains("out of range", error.Problem);
        Assert.Contains("1–65535", error.Fix);
    }

    [Fact]
    public void A_duplicate_node_fqdn_is_refused_whatever_its_case()
    {
        var error = Single(WithNode(2, n => n with { Fqdn = "FE1.example.com", Ip = "127.0.0.13" }));

        Assert.Equal("topology.nodes[2].fqdn", error.Field);
        Assert.Contains("listed twice", error.Problem);
    }

    [Fact]
    public void A_node_in_an_unknown_pool_is_refused_and_the_known_pools_listed()
    {
        var error = Single(WithNode(0, n => n with { Pool = "pool9.example.com" }));

        Assert.Equal("topology.nodes[0].pool", error.Field);
        Assert.Contains("pool9.example.com", error.Problem);
        Assert.Contains("pool1.example.com", error.Fix);
    }

    [Fact]
    public void A_pool_in_an_unknown_site_is_refused()
    {
        var error = Single(Valid with { Topology = Valid.Topology with { Pools = [new Pool("pool1.example.com", "branch")] } });

        Assert.Equal("topology.pools[0].site", error.Field);
        Assert.Contains("parley topology site add branch", error.Fix);
    }

    [Fact]
    public void Homing_to_an_unknown_pool_is_refused()
    {
        var configuration = Valid with
        {
            Topology = Valid.Topology with
            {
                Homing = new UserHoming
                {
                    DefaultPool = "nowhere.example.com",
                    Domains = new Dictionary<string, string> { ["example.com"] = "pool2.example.com" },
                    Users = new Dictionary<string, string> { ["alice@example.com"] = "pool1.example.com", ["not-a-user"] = "pool1.example.com" },
                },
            },
        };

        var errors = ConfigurationValidator.Validate(configuration);

        Assert.Contains(errors, e => e.Field == "topology.homing.defaultPool" && e.Problem.Contains("nowhere.example.com"));
        Assert.Contains(errors, e => e.Field == "topology.homing.domains.example.com" && e.Problem.Contains("pool2.example.com"));
        Assert.Contains(errors, e => e.Field == "topology.homing.users.not-a-user" && e.Problem.Contains("bare user address"));
        Assert.Equal(3, errors.Count);
    }

    [Theory]
    [InlineData("fe 1.example.com")]
    [InlineData("-fe1.example.com")]
    [InlineData("fe1..example.com")]
    [InlineData("fe1_x.example.com")]
    [InlineData("10.0.0.1")]
    public void A_malformed_fqdn_is_refused(string fqdn)
    {
        var error = Single(WithNode(2, n => n with { Fqdn = fqdn }));

        Assert.Equal("topology.nodes[2].fqdn", error.Field);
        Assert.Contains("not a valid FQDN", error.Problem);
    }

    [Theory]
    [InlineData("10.0.0")]
    [InlineData("10.1")]
    [InlineData("256.1.1.1")]
    [InlineData("fe1.example.com")]
    [InlineData("")]
    public void A_malformed_ip_is_refused(string ip)
    {
        var error = Single(WithNode(1, n => n with { Ip = ip }));

        Assert.Equal("topology.nodes[1].ip", error.Field);
    }

    [Theory]
    [InlineData("*.*.partner.net")]
    [InlineData("partner.*.net")]
    [InlineData("*partner.net")]
    [InlineData("sip:partner.net")]
    [InlineData("")]
    public void A_malformed_route_pattern_is_refused(string pattern)
    {
        var error = Single(Valid with { StaticRoutes = [new StaticRoute(pattern, "10.0.0.1", 5061)] });

        Assert.Equal("staticRoutes[0].pattern", error.Field);
        Assert.Contains("*.partner.com", error.Fix);
    }

    [Fact]
    public void A_bad_next_hop_port_and_transport_are_each_named()
    {
        var errors = ConfigurationValidator.Validate(Valid with { StaticRoutes = [new StaticRoute("partner.net", "edge:5061", 0, "udp")] });

        Assert.Equal(["staticRoutes[0].nextHop", "staticRoutes[0].port", "staticRoutes[0].transport"], errors.Select(e => e.Field).ToArray());
        Assert.Contains("tls", errors[2].Fix);
    }

    [Fact]
    public void Two_routes_for_one_pattern_with_one_priority_are_refused_and_the_next_priority_suggested()
    {
        var error = Single(Valid with { StaticRoutes = [new StaticRoute("partner.net", "10.0.0.1", 5061), new StaticRoute("Partner.NET", "10.0.0.2", 5061)] });

        Assert.Equal("staticRoutes[1].priority", error.Field);
        Assert.Contains("priorities must differ", error.Problem);
        Assert.Contains("use priority 2 for a backup", error.Fix);
    }

    [Theory]
    [InlineData("10.0.0.300", "not an IP")]
    [InlineData("10.0.0.0/33", "prefix length")]
    [InlineData("10.0.0.5/24", "host bits")]
    [InlineData("2001:db8::/129", "prefix length")]
    [InlineData("partner_x.net", "not all, an IP address, a CIDR network or a DNS name")]
    [InlineData("", "not all, an IP address, a CIDR network or a DNS name")]
    public void An_acl_entry_that_is_not_all_an_address_or_a_name_is_refused(string address, string problem)
    {
        var error = Single(Valid with { IncomingAcl = [new AclEntry(address)] });

        Assert.Equal("incomingAcl[0].address", error.Field);
        Assert.Contains(problem, error.Problem);
    }

    [Fact]
    public void Acl_duplicates_are_found_in_canonical_form()
    {
        var error = Single(Valid with { IncomingAcl = [new AclEntry("2001:db8::1"), new AclEntry("2001:0db8:0:0::1")] });

        Assert.Equal("incomingAcl[1].address", error.Field);
    }

    [Fact]
    public void A_tls_listener_on_an_unknown_node_is_refused()
    {
        var error = Single(Valid with { TlsListeners = [new TlsListener("fe9.example.com", 5063, true)] });

        Assert.Equal("tlsListeners[0].node", error.Field);
        Assert.Contains("parley topology node add", error.Fix);
    }

    [Fact]
    public void A_second_cms_node_is_refused()
    {
        var error = Single(WithNode(2, n => n with { Roles = NodeRole.Cms }));

        Assert.Equal("topology.nodes[2].roles", error.Field);
        Assert.Contains("one CMS master", error.Problem);
    }

    [Theory]
    [InlineData("exa mple.com")]
    [InlineData("example..com")]
    [InlineData("")]
    public void A_malformed_domain_is_refused(string domain)
    {
        var error = Single(Valid with { Domains = ["example.com", domain] });

        Assert.Equal("domains[1]", error.Field);
        Assert.Contains("example.com", error.Fix);
    }

    [Fact]
    public void A_domain_listed_twice_in_another_case_is_refused()
    {
        var error = Single(Valid with { Domains = ["example.com", "EXAMPLE.com"] });

        Assert.Equal("domains[1]", error.Field);
        Assert.Contains("twice", error.Problem);
    }

    [Fact]
    public void Presence_limits_reuse_the_presence_range_check()
    {
        var errors = ConfigurationValidator.Validate(Valid with { Presence = new PresenceSettings { MaxContactListSize = 0, MaxWatchers = 100_001 } });

        Assert.Equal(["presence.maxContactListSize", "presence.maxWatchers"], errors.Select(e => e.Field).ToArray());
        Assert.All(errors, e => Assert.Contains("1 to 100000", e.Fix));
    }

    [Fact]
    public void A_federation_routing_node_must_be_in_the_topology()
    {
        var error = Single(Valid with { Federation = Valid.Federation with { RoutingNode = "edge.example.com" } });

        Assert.Equal("federation.routingNode", error.Field);
    }

    [Fact]
    public void Every_error_is_reported_at_once()
    {
        var broken = WithNode(0, n => n with { Ip = "x", Pool = "nowhere.example.com" }) with { Domains = ["bad domain"], IncomingAcl = [new AclEntry("x y")] };

        Assert.Equal(4, ConfigurationValidator.Validate(broken).Count);
        var refused = Assert.Throws<ConfigurationValidationException>(() => ConfigurationValidator.Prepare(broken));
        Assert.Contains("topology.nodes[0].ip", refused.Message);
        Assert.Contains("Fix:", refused.Message);
    }

    [Fact]
    public void Prepare_normalises_names_and_order()
    {
        var prepared = ConfigurationValidator.Prepare(Valid with
        {
            Domains = ["Example.ORG", "example.com"],
            IncomingAcl = [new AclEntry("2001:0DB8::0001"), new AclEntry("10.0.0.0/8")],
        });

        Assert.Equal(["example.com", "example.org"], prepared.Domains);
        Assert.Equal(["10.0.0.0/8", "2001:db8::1"], prepared.IncomingAcl.Select(a => a.Address).ToArray());
        Assert.Equal(["cms.example.com", "fe1.example.com", "fe2.example.com"], prepared.Topology.Nodes.Select(n => n.Fqdn).ToArray());
    }

    private static DeploymentConfiguration WithNode(int index, Func<TopologyNode, TopologyNode> change)
        => Valid with { Topology = Valid.Topology with { Nodes = Valid.Topology.Nodes.Select((n, i) => i == index ? change(n) : n).ToArray() } };

    private static ConfigurationError Single(DeploymentConfiguration configuration)
    {
        var errors = ConfigurationValidator.Validate(configuration);
        Assert.True(errors.Count == 1, "expected one error, got:\n" + string.Join('\n', errors));
        Assert.False(string.IsNullOrWhiteSpace(errors[0].Fix));
        return errors[0];
    }
}
