using System.Reflection;

namespace Parley.Server.Management.Replication.Snapshots;

/// <summary>The product version written into snapshots and status reports, without the build metadata.</summary>
public static class ProductVersion
{
    public static string Current { get; } =
        typeof(ProductVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0";
}
