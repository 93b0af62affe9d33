using Microsoft.Extensions.Logging.Abstractions;
using Parley.Server.Configuration;
using Parley.Server.Diagnostics;
using Parley.Server.Management;
using Parley.Server.Storage;

namespace Parley.Cli;

/// <summary>What every command needs: the standard streams, the working directory, the clock and the actor.</summary>
public sealed record CliContext(TextReader Input, TextWriter Output, TextWriter Error, string WorkingDirectory, TimeProvider Time)
{
    /// <summary>Recorded in configuration revisions: who made the change.</summary>
    public string Actor { get; init; } = "cli:" + Environment.UserName;

    /// <summary>Standard error is a terminal (not redirected): progress may be drawn in place.</summary>
    public bool ErrorIsTerminal { get; init; }

    public string DataDirectory(string? option)
        => Path.GetFullPath(option ?? BootstrapConfigLoader.DefaultDataDirectoryName, WorkingDirectory);

    /// <summary>
    /// Opens the store in the data directory. Only commands that create deployment data pass
    /// <paramref name="create"/> (domain add, settings presence set); reading and editing never create a directory.
    /// </summary>
    public async Task<ParleyStore> OpenStoreAsync(string dataDirectory, bool create, CancellationToken cancellationToken)
    {
        var store = new ParleyStore(
            new ParleyStoreOptions
            {
                DataDirectory = dataDirectory,
                CreateIfMissing = create,
                Settings = new DeploymentSettingsOptions { AnnounceRevisions = false },
                Events = new EventLogOptions { NodeName = "cli" },
            },
            Time,
            NullLoggerFactory.Instance);
        try
        {
            await store.StartAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
