using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Parley.Server.Sip.Core;

namespace Parley.Server.Federation.Outbound;

public static class OutboundServiceCollectionExtensions
{
    /// <summary>
    /// Registers the outbound side of federation: recipient classification, static routes with failover, the presence
    /// subscriptions and IM of the gateway to the peer, and the stores behind them. Options default to
    /// <see cref="FederationOutboundOptions"/> unless registered before. The engine reaches the gateway through
    /// <c>Lazy&lt;IPeerGateway&gt;</c> (it needs engine services itself).
    /// </summary>
    public static IServiceCollection AddFederationOutbound(this IServiceCollection services)
    {
        services.TryAddSingleton(_ => new FederationOutboundOptions());
        services.AddSingleton<PeerAddressDirectory>();
        services.AddSingleton<OutboundSubscriptionStore>();
        services.AddSingleton<IFederationRouting>(provider =>
        {
            provider.GetRequiredService<FederationOutboundOptions>().Validate();
            return ActivatorUtilities.CreateInstance<FederationRouting>(provider);
        });
        services.AddSingleton<PeerOutbound>();
        services.AddSingleton<PeerMessaging>();
        services.AddSingleton<PeerSendQueue>();
        services.AddSingleton<PeerPresenceSubscriptions>();
        services.AddSingleton<ISipRequestHandler>(provider => provider.GetRequiredService<PeerPresenceSubscriptions>());
        services.AddSingleton<IDialogOwnership>(provider => provider.GetRequiredService<PeerPresenceSubscriptions>());
        services.AddSingleton<ISipNodeService, OutboundStartup>();
        services.AddSingleton<IPeerGateway, PeerGateway>();
        services.AddSingleton(provider => new Lazy<IPeerGateway>(provider.GetRequiredService<IPeerGateway>));
        return services;
    }
}
