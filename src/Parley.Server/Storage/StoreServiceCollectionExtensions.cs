using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Server.Diagnostics;
using Parley.Server.Directory;
using Parley.Server.Management;
using Parley.Server.Messaging;
using Parley.Server.Privacy;
using Parley.Server.Roster;
using Parley.Server.Storage;

namespace Microsoft.Extensions.DependencyInjection;

public static class StoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers the embedded SQLite store in <paramref name="dataDirectory"/> and every store interface as singletons.
    /// Before serving, <c>await provider.GetRequiredService&lt;ParleyStore&gt;().StartAsync(ct)</c>; disposing the provider
    /// (DisposeAsync) stops the background parts after storing queued events.
    /// </summary>
    public static IServiceCollection AddParleyStore(this IServiceCollection services, string dataDirectory, Func<ParleyStoreOptions, ParleyStoreOptions>? configure = null)
    {
        var options = new ParleyStoreOptions { DataDirectory = dataDirectory };
        options = configure?.Invoke(options) ?? options;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton(provider => new ParleyStore(options, provider.GetRequiredService<TimeProvider>(),
            provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance));
        services.AddSingleton(provider => provider.GetRequiredService<ParleyStore>().Database);
        services.AddSingleton(provider => provider.GetRequiredService<ParleyStore>().Events);
        services.AddSingleton(provider => provider.GetRequiredService<ParleyStore>().Settings);
        services.AddSingleton(provider => provider.GetRequiredService<ParleyStore>().Cms);
        services.AddSingleton(provider => provider.GetRequiredService<ParleyStore>().Users);
        services.AddSingleton(provider => provider.GetRequiredService<ParleyStore>().Rosters);
        services.AddSingleton(provider => provider.GetRequiredService<ParleyStore>().Privacy);
        services.AddSingleton(provider => provider.GetRequiredService<ParleyStore>().OfflineMessages);
        return services;
    }
}
