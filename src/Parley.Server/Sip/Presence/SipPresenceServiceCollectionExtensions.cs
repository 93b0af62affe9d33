using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Parley.Server.Presence;
using Parley.Server.Sip.Core;
using Parley.Server.Sip.Presence.Pidf;
using Parley.Server.Sip.Presence.Publications;
using Parley.Server.Sip.Presence.Subscriptions;

namespace Parley.Server.Sip.Presence;

public static class SipPresenceServiceCollectionExtensions
{
    /// <summary>
    /// Registers the SIP presence server: SUBSCRIBE/NOTIFY, PUBLISH, their storage, and the engine observer that
    /// turns presence and subscription changes into NOTIFYs. Called by <c>AddParleySip</c>; options default to
    /// <see cref="SipPresenceOptions"/> with the registrar's Min-Expires, unless registered before. <see cref="SipPresenceService.StartAsync"/> must run
    /// once the SIP transport is up (it restores stored subscriptions and notifies them), and its DisposeAsync before
    /// the transport stops.
    /// </summary>
    public static IServiceCollection AddParleySipPresence(this IServiceCollection services)
    {
        // One shortest refresh interval for SIP: the registrar's Min-Expires also bounds subscriptions and publications.
        services.TryAddSingleton(provider => provider.GetService<SipServerOptions>() is { } sip
            ? new SipPresenceOptions { MinExpires = sip.MinExpires }
            : new SipPresenceOptions());
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<SipPresenceOptions>();
            options.Validate();
            return new PidfReader(options.Pidf);
        });
        services.AddSingleton<SipSubscriptionRegistry>();
        services.AddSingleton<ISipSubscriptionStore, SqliteSipSubscriptionStore>();
        services.AddSingleton<ISipPublicationStore, SqliteSipPublicationStore>();
        services.AddSingleton<SipPresenceChanges>();
        services.AddSingleton<IPresenceObserver>(provider => provider.GetRequiredService<SipPresenceChanges>());
        services.AddSingleton<SipWatcherAuthorization>();
        services.AddSingleton<SipPublications>();
        services.AddSingleton<SipPresenceDocuments>();
        services.AddSingleton<SipNotifier>();
        services.AddSingleton<SipPresenceService>();
        services.AddSingleton<SipPresenceServer>();
        services.AddSingleton<ISipRequestHandler>(provider => provider.GetRequiredService<SipPresenceServer>());
        services.AddSingleton<ISipRequestHandler, PublishHandler>();
        return services;
    }
}
