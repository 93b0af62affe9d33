using Microsoft.Extensions.Logging;
using Parley.Server.Directory;
using Parley.Server.Management;
using Parley.Xmpp.Streams;

namespace Parley.Server.Sessions;

/// <summary>
/// When the directory changes (an administrator disables or removes a user, from the CLI or another node), the
/// user's open sessions end at once instead of lingering until they disconnect.
/// </summary>
public sealed class AccountRevocation : IDisposable
{
    private readonly SessionRegistry _registry;
    private readonly IUserDirectory _directory;
    private readonly IDeploymentSettings _settings;
    private readonly ILogger<AccountRevocation> _logger;
    private readonly SemaphoreSlim _checking = new(1, 1);

    public AccountRevocation(SessionRegistry registry, IUserDirectory directory, IDeploymentSettings settings, ILogger<AccountRevocation> logger)
    {
        _registry = registry;
        _directory = directory;
        _settings = settings;
        _logger = logger;
        settings.Changed += OnChanged;
    }

    public void Dispose() => _settings.Changed -= OnChanged;

    private void OnChanged(DeploymentSnapshot snapshot) => _ = CheckAsync(snapshot);

    /// <summary>Closes the sessions of online users who no longer exist, are disabled, or whose domain is gone.</summary>
    public async Task CheckAsync(DeploymentSnapshot snapshot)
    {
        if (!await _checking.WaitAsync(0).ConfigureAwait(false))
        {
            return; // A check is running; it reads the newest state anyway.
        }

        try
        {
            foreach (var user in _registry.Users.ToArray())
            {
                var record = snapshot.HostsDomain(user.BareJid.Domain) ? await _directory.FindUserAsync(user.BareJid, CancellationToken.None).ConfigureAwait(false) : null;
                if (record is { Enabled: true })
                {
                    continue;
                }

                Log.Revoked(_logger, user.BareJid.ToString());
                foreach (var session in user.Sessions)
                {
                    session.Transport?.Close(XmppStreamErrorReason.NotAuthorized, "Your account was disabled or removed by an administrator.");
                }
            }
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Checking online users against the directory failed; will retry at the next change");
        }
        finally
        {
            _checking.Release();
        }
    }
}

internal static partial class Log
{
    [LoggerMessage(5050, LogLevel.Information, "Sessions of {User} closed: the account was disabled or removed")]
    public static partial void Revoked(ILogger logger, string user);
}
