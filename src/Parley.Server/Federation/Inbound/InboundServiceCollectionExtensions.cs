using Microsoft.Extensions.DependencyInjection;

namespace Parley.Server.Federation.Inbound;

public static class InboundServiceCollectionExtensions
{
    /// <summary>The inbound side of federation: incoming ACL, TLS peer authentication, loop rejection, the routing node.</summary>
    public static IServiceCollection AddFederationInbound(this IServiceCollection services) => services;
}
