using Parley.Server.Configuration;
using Parley.Server.Management;
using Parley.Server.Management.Documents;

namespace Parley.Server.Tests.Management;

/// <summary>Valid configurations used across the CMS tests.</summary>
public static class SampleConfigurations
{
    public const string Master = "cms.example.com";

    /// <summary>One site, one pool, a CMS node and two front ends, two domains and one of each federation document.</summary>
    public static DeploymentConfiguration Small() => new()
    {
        Topology = new Topology
        {
            Sites = [new Site("hq", "Head office")],
            Pools = [new Pool("pool1.example.com", "hq")],
            Nodes =
            [
                new TopologyNode { Fqdn = Master, Ip = "127.0.0.10", Pool = "pool1.example.com", Roles = NodeRole.Cms | NodeRole.Frontend },
                new TopologyNode { Fqdn = "fe1.example.com", Ip = "127.0.0.11", Pool = "pool1.example.com" },
                new TopologyNode { Fqdn = "fe2.example.com", Ip = "127.0.0.12", Pool = "pool1.example.com" },
            ],
            Homing = new UserHoming { DefaultPool = "pool1.example.com", Domains = new Dictionary<string, string> { ["example.com"] = "pool1.example.com" } },
        },
        Domains = ["example.com", "example.org"],
        Presence = new PresenceSettings { MaxContactListSize = 500, MaxWatchers = null },
        Federation = new FederationOptions { Enabled = true, RoutingMode = FederationRoutingMode.Advanced, RoutingNode = "fe1.example.com" },
        StaticRoutes = [new StaticRoute("*.partner.net", "10.1.2.3", 5061, "tls", "Partner")],
        IncomingAcl = [new AclEntry("10.1.2.0/24", "Partner edge")],
        TlsListeners = [new TlsListener("fe1.example.com", 5063, MutualTls: true)],
        TlsPeerSubjects = [new TlsPeerSubject("sip.partner.net")],
    };

    /// <summary>The benchmark's shape: <paramref name="count"/> static routes and as many ACL entries.</summary>
    public static DeploymentConfiguration Large(int count)
    {
        var routes = Enumerable.Range(0, count)
            .Select(i => new StaticRoute($"*.p{i:D5}.partner.net", $"10.{i / 65536 % 256}.{i / 256 % 256}.{i % 256}", 5061, "tls"))
            .ToArray();
        var acl = Enumerable.Range(0, count).Select(i => new AclEntry($"172.{16 + (i / 65536 % 16)}.{i / 256 % 256}.{i % 256}")).ToArray();
        return ConfigurationNormalizer.Normalize(Small() with { StaticRoutes = routes, IncomingAcl = acl });
    }
}
