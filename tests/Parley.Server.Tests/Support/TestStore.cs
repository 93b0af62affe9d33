using Microsoft.Extensions.Logging.Abstractions;
using Parley.Server.Directory;
using Parley.Server.Management;
using Parley.Server.Storage;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Tests.Support;

/// <summary>Opens real stores on a temp directory; iterations at the RFC 7677 minimum keep tests fast.</summary>
public static class TestStore
{
    public const string Actor = "test:runner";

    public static ParleyStoreOptions Options(string dataDirectory, TimeSpan? refresh = null) => new()
    {
        DataDirectory = dataDirectory,
        Directory = new UserDirectoryOptions { ScramSha1Iterations = UserDirectoryOptions.MinimumIterations, ScramSha256Iterations = UserDirectoryOptions.MinimumIterations },
        Settings = new DeploymentSettingsOptions { RefreshInterval = refresh ?? TimeSpan.FromMinutes(10) },
    };

    public static async Task<ParleyStore> OpenAsync(string dataDirectory, TimeSpan? refresh = null)
    {
        var store = new ParleyStore(Options(dataDirectory, refresh), TimeProvider.System, NullLoggerFactory.Instance);
        await store.StartAsync(CancellationToken.None);
        return store;
    }

    public static async Task<ParleyStore> OpenWithDomainAsync(string dataDirectory, string domain = "example.com")
    {
        var store = await OpenAsync(dataDirectory);
        await store.Users.AddDomainAsync(domain, Actor, CancellationToken.None);
        return store;
    }

    public static Jid Jid(string text) => Parley.Xmpp.Addressing.Jid.Parse(text);
}
