using Parley.Server.Diagnostics;
using Parley.Server.Directory;
using Parley.Server.Management;
using Parley.Server.Management.Cms;

namespace Parley.Server.Storage;

/// <summary>Everything the embedded store needs; the defaults are those of a running node.</summary>
public sealed record ParleyStoreOptions
{
    public required string DataDirectory { get; init; }

    /// <summary>Create the directory and database when missing. Read-only CLI commands turn this off.</summary>
    public bool CreateIfMissing { get; init; } = true;

    public UserDirectoryOptions Directory { get; init; } = new();

    public DeploymentSettingsOptions Settings { get; init; } = new();

    public EventLogOptions Events { get; init; } = new();

    /// <summary>The node's CMS role from its bootstrap (recorded in the store); null = the role recorded by the node (the CLI).</summary>
    public CmsOptions? Cms { get; init; }
}
