using Microsoft.Extensions.DependencyInjection;

namespace Parley.Server.Federation.Outbound;

public static class OutboundServiceCollectionExtensions
{
    /// <summary>The outbound side of federation: recipient classification, static routes with failover, the gateway for the peer's users.</summary>
    public static IServiceCollection AddFederationOutbound(this IServiceCollection services) => services;
}
