using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Parley.Server.Configuration;
using Parley.Server.Diagnostics;
using Parley.Server.Management;
using Parley.Server.Management.Replication;
using Parley.Server.Management.Replication.Replica;
using Parley.Server.Management.Replication.Snapshots;
using Parley.Server.Management.Replication.Status;
using Parley.Server.Management.Replication.Transfer;
using Parley.Server.Security;
using Parley.Server.Storage;

namespace Microsoft.Extensions.DependencyInjection;

public static class ReplicationServiceCollectionExtensions
{
    /// <summary>
    /// Every node reads its configuration from its replica: registers the replica store and applier, the master
    /// replicator and file transfer agent (started only on the master), the replica agent listener, and swaps
    /// <see cref="ReplicaDeploymentSettings"/> (through <see cref="NodeDeploymentSettings"/>) in for <see cref="IDeploymentSettings"/>. Call after AddParleyStore;
    /// resolve after the node certificate is provisioned (the deployment CA may be the node's private CA).
    /// <paramref name="environment"/> supplies PARLEY_REPLICA_FAULT and the test timings.
    /// </summary>
    public static IServiceCollection AddParleyReplication(this IServiceCollection services, NodeOptions node, Func<string, string?> environment)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(node);
        services.AddSingleton(TransferOptions.FromEnvironment(environment));
        services.AddSingleton(provider => provider.GetRequiredService<NodeCertificateHolder>().Identity);
        services.AddSingleton(provider => new DeploymentTrust(
            provider.GetRequiredService<ReplicationIdentity>().Authorities, provider.GetRequiredService<ReplicationIdentity>().Source, provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ISnapshotVerifier>(provider => new SnapshotVerifier(
            provider.GetRequiredService<ReplicationIdentity>().Authorities[0], provider.GetRequiredService<TimeProvider>()));
        services.AddParleyReplica(
            new ReplicaAgentOptions
            {
                Store = ReplicaStoreOptions.For(node.DataDirectory, environment(ReplicaStoreOptions.FaultEnvironmentVariable)),
                Applier = new ReplicaApplierOptions { NodeFqdn = node.Fqdn, BootstrapMaster = node.CmsMaster },

                // On the master cms.fileShare is where it writes; only the other nodes read it.
                FileShare = node.CmsFileShare is { } share && !node.IsCmsMaster ? new FileShareReplicaOptions { Directory = share } : null,
            },
            provider => provider.GetRequiredService<ISnapshotVerifier>());
        services.RemoveAll<IDeploymentSettings>();
        services.AddSingleton(provider => new NodeDeploymentSettings(provider.GetRequiredService<ReplicaDeploymentSettings>(), provider.GetRequiredService<ParleyStore>().Settings));
        services.AddSingleton<IDeploymentSettings>(provider => provider.GetRequiredService<NodeDeploymentSettings>());
        services.AddSingleton(provider => new ReplicationStatusStore(provider.GetRequiredService<ParleyDatabase>()));
        services.AddSingleton(provider =>
        {
            var applier = provider.GetRequiredService<ReplicaApplier>();
            return new CmsMasterLocator(node.Fqdn, node.CmsMaster, () => applier.Held?.Configuration.Topology);
        });
        services.AddSingleton<NodeCertificateHolder>();
        services.AddSingleton(new MasterReplicatorOptions());
        services.AddSingleton(provider => new MasterReplicator(
            provider.GetRequiredService<ParleyStore>().Cms, () => provider.GetRequiredService<NodeCertificateHolder>().Identity.Signer, node.Fqdn,
            provider.GetRequiredService<IEventLog>(), provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<MasterReplicatorOptions>(),
            provider.GetRequiredService<ILogger<MasterReplicator>>()));
        services.AddSingleton<ISnapshotSource>(provider => provider.GetRequiredService<MasterReplicator>());
        services.AddSingleton(provider => new FileTransferAgentFactory(node.Fqdn, provider.GetRequiredService<NodeCertificateHolder>(),
            provider.GetRequiredService<ISnapshotVerifier>(), provider.GetRequiredService<ReplicaApplier>(), provider.GetRequiredService<ServerTlsContext>(),
            provider.GetRequiredService<DeploymentTrust>(), provider.GetRequiredService<ParleyDatabase>(), provider.GetRequiredService<IEventLog>(),
            provider.GetRequiredService<TransferOptions>(), provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<ReplicationRuntime>();
        return services;
    }
}
