using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Server.Diagnostics;
using Parley.Server.Management.Replication;
using Parley.Server.Management.Replication.Replica;
using Parley.Server.Storage;

namespace Microsoft.Extensions.DependencyInjection;

public static class ReplicaServiceCollectionExtensions
{
    /// <summary>
    /// Registers the replica agent's local side as singletons: <see cref="ReplicaAgent"/>, <see cref="ReplicaStore"/>,
    /// <see cref="ReplicaApplier"/> (also as <see cref="IReplicaApplier"/>) and <see cref="ReplicaDeploymentSettings"/>.
    /// Needs <see cref="IEventLog"/> (and <see cref="ParleyDatabase"/> for the domain mirror) from <c>AddParleyStore</c>.
    /// Does not replace <c>IDeploymentSettings</c>: the wiring decides which one the node reads.
    /// Before serving, <c>await provider.GetRequiredService&lt;ReplicaAgent&gt;().StartAsync(ct)</c>.
    /// </summary>
    public static IServiceCollection AddParleyReplica(this IServiceCollection services, ReplicaAgentOptions options,
        Func<IServiceProvider, ISnapshotVerifier> verifier)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(provider => new ReplicaAgent(options, verifier(provider), provider.GetRequiredService<IEventLog>(),
            provider.GetRequiredService<TimeProvider>(), provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance,
            provider.GetService<ParleyDatabase>()));
        services.AddSingleton(provider => provider.GetRequiredService<ReplicaAgent>().Store);
        services.AddSingleton(provider => provider.GetRequiredService<ReplicaAgent>().Applier);
        services.AddSingleton<IReplicaApplier>(provider => provider.GetRequiredService<ReplicaAgent>().Applier);
        services.AddSingleton(provider => provider.GetRequiredService<ReplicaAgent>().Settings);
        return services;
    }
}
