using Microsoft.Extensions.DependencyInjection;
using Parley.Server.Messaging;
using Parley.Server.Presence;
using Parley.Server.Presence.Subscriptions;
using Parley.Server.Privacy;
using Parley.Server.Roster;
using Parley.Server.Security;
using Parley.Server.Sessions;
using Parley.Server.Xmpp.C2s;
using Parley.Server.Xmpp.Routing;

namespace Parley.Server.Xmpp;

public static class XmppServiceCollectionExtensions
{
    /// <summary>Registers the XMPP client service: sessions, presence, roster, privacy, messaging and the c2s listener parts.</summary>
    public static IServiceCollection AddParleyXmpp(this IServiceCollection services, XmppServerOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<ServerTlsContext>();
        services.AddSingleton<UserLocks>(_ => new UserLocks());
        services.AddSingleton<SessionRegistry>();
        services.AddSingleton<AccountRevocation>();
        services.AddSingleton<LocalDelivery>();
        services.AddSingleton<RosterEditor>();
        services.AddSingleton<PrivacyCheck>();
        services.AddSingleton<PresenceService>();
        services.AddSingleton<SubscriptionService>();
        services.AddSingleton<RosterService>();
        services.AddSingleton<BlockingService>();
        services.AddSingleton<StoredStanzaReader>();
        services.AddSingleton<OfflineMessages>();
        services.AddSingleton<MessageRouter>();
        services.AddSingleton<ClientStanzaRouter>();
        services.AddSingleton<AuthFailureTracker>();
        services.AddSingleton<ConnectionHeartbeat>();
        services.AddSingleton<SessionTerminations>();
        services.AddSingleton<C2sServices>();
        return services;
    }
}
