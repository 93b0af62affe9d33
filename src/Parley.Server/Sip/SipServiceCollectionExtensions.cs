using Microsoft.Extensions.DependencyInjection;
using Parley.Server.Federation;
using Parley.Server.Sip.Core;
using Parley.Server.Sip.Gateway;
using Parley.Server.Sip.Messaging;
using Parley.Server.Sip.Presence;
using Parley.Server.Sip.Presence.Subscriptions;
using Parley.Server.Sip.Registrar;
using Parley.Sip.Transactions;

namespace Parley.Server.Sip;

public static class SipServiceCollectionExtensions
{
    /// <summary>
    /// Registers the SIP service: core (dispatcher, digest authentication, outbound requests), registrar, messaging,
    /// the SIP↔XMPP gateway and SIP presence. Needs <c>AddParleyStore</c> and <c>AddParleyXmpp</c> (the engine it joins).
    /// Start it with <see cref="SipNode.StartAsync"/>.
    /// </summary>
    public static IServiceCollection AddParleySip(this IServiceCollection services, SipServerOptions options)
    {
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton<SipStack>();
        services.AddSingleton<RandomTokens>(); // the transaction layer's and everything Parley originates
        services.AddSingleton<NonceSecret>();
        services.AddSingleton<NonceService>();
        services.AddSingleton<SourceEventThrottle>();
        services.AddSingleton<DigestAuthenticator>();
        services.AddSingleton<SipOutbound>();
        services.AddSingleton<SipTransportEvents>();
        services.AddSingleton<SipRequestDispatcher>();
        services.AddSingleton<ILocationStore, SqliteLocationStore>();
        services.AddSingleton<LocationService>();
        services.AddSingleton<SipMessageIngress>();
        services.AddSingleton<ImSessions>();
        services.AddSingleton<SipMessageDelivery>();
        services.AddSingleton<SipUserSessions>();
        services.AddSingleton<ISipRequestHandler, RegisterHandler>();
        services.AddSingleton<ISipRequestHandler, PageModeMessages>();
        services.AddSingleton<ISipRequestHandler>(provider => provider.GetRequiredService<ImSessions>());
        services.AddSingleton<IDialogOwnership>(provider => provider.GetRequiredService<ImSessions>());
        services.AddSingleton<IDialogOwnership>(provider => provider.GetRequiredService<SipSubscriptionRegistry>());
        services.AddSingleton<SipNode>();
        services.AddParleySipPresence();
        services.AddParleyFederation();
        return services;
    }
}
