using Microsoft.Extensions.DependencyInjection;
using Parley.Server.Federation.Inbound;
using Parley.Server.Federation.Outbound;

namespace Parley.Server.Federation;

public static class FederationServiceCollectionExtensions
{
    /// <summary>
    /// Registers partitioned intradomain federation (docs/design/federation.md): the inbound side (incoming ACL, TLS
    /// peer authentication, loop rejection, the routing node) and the outbound side (static routes with failover and the
    /// SIP↔XMPP gateway for the peer's users). Called by <c>AddParleySip</c>; inert until federation is enabled in the CMS.
    /// </summary>
    public static IServiceCollection AddParleyFederation(this IServiceCollection services)
        => services.AddFederationInbound().AddFederationOutbound();
}
