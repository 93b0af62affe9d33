namespace Parley.Server.Diagnostics;

public static partial class ParleyEvents
{
    public const string FederationSource = "Federation";

    /// <summary>
    /// 3600–3699: partitioned intradomain federation (seed 003). Each area keeps its entries in its own file:
    /// 3600–3629 inbound (incoming ACL, TLS peer authentication, loops, the routing node),
    /// 3630–3669 outbound (static routes, failover, the SIP↔XMPP gateway with the peer),
    /// 3670–3699 federation configuration.
    /// </summary>
    public static partial class Federation
    {
    }
}
