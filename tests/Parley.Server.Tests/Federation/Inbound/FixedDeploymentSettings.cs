using Parley.Server.Management;
using Parley.Server.Management.Documents;

namespace Parley.Server.Tests.Federation.Inbound;

/// <summary>Deployment settings a test sets directly (no store); <see cref="Configuration"/> is read on every call, like the real ones.</summary>
public sealed class FixedDeploymentSettings(DeploymentConfiguration configuration) : IDeploymentSettings
{
    public DeploymentConfiguration Configuration { get; set; } = configuration;

    public DeploymentSnapshot Current => DeploymentSnapshot.From(1, Configuration);

    public event Action<DeploymentSnapshot>? Changed;

    public Task<DeploymentSnapshot> RefreshAsync(CancellationToken cancellationToken)
    {
        Changed?.Invoke(Current);
        return Task.FromResult(Current);
    }
}
