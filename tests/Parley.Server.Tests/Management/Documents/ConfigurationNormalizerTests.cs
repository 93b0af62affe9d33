using Parley.Server.Management.Documents;

namespace Parley.Server.Tests.Management.Documents;

public sealed class ConfigurationNormalizerTests
{
    [Fact]
    public void A_route_typed_forwards_or_reversed_is_stored_in_one_form()
    {
        var forms = new[] { "Partner.com", "*.partner.com", "com.partner.*", ".com.partner.*" };

        var stored = forms.Select(f => Normalize(new DeploymentConfiguration { StaticRoutes = [new StaticRoute(f, "10.0.0.1", 5061)] }).StaticRoutes[0].Pattern);

        Assert.All(stored, p => Assert.Equal(".com.partner.*", p));
    }

    [Fact]
    public void Routes_are_sorted_by_pattern_then_priority_next_hop_and_port()
    {
        var routes = new[]
        {
            new StaticRoute("b.example", "10.0.0.2", 5061) { Priority = 2 },
            new StaticRoute("a.example", "10.0.0.9", 5061),
            new StaticRoute("b.example", "10.0.0.1", 5061) { Priority = 3 },
            new StaticRoute("b.example", "10.0.0.1", 5060, "TCP"),
        };

        var sorted = Normalize(new DeploymentConfiguration { StaticRoutes = routes }).StaticRoutes;

        Assert.Equal(
            [".example.a.*|1|10.0.0.9|5061", ".example.b.*|1|10.0.0.1|5060", ".example.b.*|2|10.0.0.2|5061", ".example.b.*|3|10.0.0.1|5061"],
            sorted.Select(r => $"{r.Pattern}|{r.Priority}|{r.NextHop}|{r.Port}").ToArray());
        Assert.Equal("tcp", sorted[1].Transport);
    }

    [Fact]
    public void Any_order_and_case_of_the_federation_documents_gives_the_same_bytes()
    {
        var routes = new[]
        {
            new StaticRoute("partner.com", "10.0.0.1", 5061, "tls", "primary"),
            new StaticRoute(".com.partner.*", "Lync2.Partner.com", 5061, "TLS", "backup") { Priority = 2 },
            new StaticRoute("+1408*", "10.0.0.3", 5060, "tcp") { RouteType = StaticRouteType.User, Flavour = PeerFlavour.Generic },
        };
        var first = new DeploymentConfiguration
        {
            StaticRoutes = routes,
            IncomingAcl = [new AclEntry("ALL"), new AclEntry("Lync.Partner.com"), new AclEntry("2001:DB8::1")],
            TlsPeerSubjects = [new TlsPeerSubject("Lync.Partner.com"), new TlsPeerSubject("pool.partner.com")],
            SipFederationDomains = [new SipFederationDomain("Remote.com"), new SipFederationDomain("other.net")],
        };
        var second = first with
        {
            StaticRoutes = routes.Reverse().Select(r => r with { Pattern = r.Pattern.ToUpperInvariant() == "PARTNER.COM" ? "*.partner.com" : r.Pattern }).ToArray(),
            IncomingAcl = first.IncomingAcl.Reverse().ToArray(),
            TlsPeerSubjects = first.TlsPeerSubjects.Reverse().ToArray(),
            SipFederationDomains = first.SipFederationDomains.Reverse().ToArray(),
        };

        Assert.Equal(Bytes(Normalize(first)), Bytes(Normalize(second)));
        Assert.Equal(Bytes(Normalize(first)), Bytes(Normalize(Normalize(first))));
        var normalized = Normalize(first);
        Assert.Equal(["2001:db8::1", "all", "lync.partner.com"], normalized.IncomingAcl.Select(a => a.Address).ToArray());
        Assert.Equal("lync.partner.com", normalized.TlsPeerSubjects[0].Subject);
        Assert.Equal(["other.net", "remote.com"], normalized.SipFederationDomains.Select(d => d.Domain).ToArray());
        Assert.Equal(["+1408*", ".com.partner.*", ".com.partner.*"], normalized.StaticRoutes.Select(r => r.Pattern).ToArray());
        Assert.Equal("lync2.partner.com", normalized.StaticRoutes[2].NextHop);
    }

    [Fact]
    public void An_invalid_pattern_is_kept_for_the_validator_to_report()
    {
        var normalized = Normalize(new DeploymentConfiguration { StaticRoutes = [new StaticRoute(" *.*.Bad ", "10.0.0.1", 5061)] });

        Assert.Equal("*.*.bad", normalized.StaticRoutes[0].Pattern);
    }

    private static DeploymentConfiguration Normalize(DeploymentConfiguration configuration) => ConfigurationNormalizer.Normalize(configuration);

    private static string Bytes(DeploymentConfiguration configuration)
        => string.Join("\n", DocumentNames.All.Select(name => DocumentJson.Serialize(configuration, name)));
}
