using Microsoft.Extensions.DependencyInjection;

namespace Parley.Server.Federation.RoutingNode;

public static class RoutingNodeServiceCollectionExtensions
{
    /// <summary>The routing node: forwards peer requests to the recipients' home nodes and relays in-dialog requests through itself.</summary>
    public static IServiceCollection AddFederationRoutingNode(this IServiceCollection services)
        => services.AddSingleton<HomeNodeLocator>().AddSingleton<ForwardedInvites>().AddSingleton<RoutingNodeProxy>();
}
