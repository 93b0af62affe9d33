using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Parley.Server.Federation.RoutingNode;

namespace Parley.Server.Federation.Inbound;

public static class InboundServiceCollectionExtensions
{
    /// <summary>The inbound side of federation: incoming ACL, TLS peer authentication, loop rejection, the peer-auth listener.</summary>
    public static IServiceCollection AddFederationInbound(this IServiceCollection services)
    {
        // Tests replace the timings and the resolver (slow or failing DNS) before this runs.
        services.TryAddSingleton(new InboundFederationOptions());
        services.TryAddSingleton<IAclDns, SystemAclDns>();
        services.AddSingleton<AclDnsCache>();
        services.AddSingleton<IncomingAcl>();
        services.AddSingleton<PeerTrust>();
        services.AddSingleton<FederationCounters>();
        services.AddSingleton<PeerRequestScreen>();
        services.AddSingleton<PeerTrustAnchors>();
        services.AddSingleton<PeerCertificatePolicy>();
        services.AddSingleton<PeerTlsOptions>();
        services.AddSingleton<PeerAuthListener>();
        return services.AddFederationRoutingNode();
    }
}
