using System.Security.Cryptography;
using Parley.Server.Management;
using Parley.Server.Management.Cms;
using Parley.Server.Storage;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Sasl;

namespace Parley.Server.Directory;

/// <summary>
/// Users and hosted domains in SQLite. Each change writes its revision row in the same transaction and then
/// refreshes the deployment snapshot, so the process that made it sees it at once.
/// </summary>
public sealed partial class SqliteUserDirectory : IUserDirectory
{
    private const int SaltLength = 16;

    private readonly ParleyDatabase _database;
    private readonly IDeploymentSettings _settings;
    private readonly ICmsStore _cms;
    private readonly TimeProvider _time;
    private readonly UserDirectoryOptions _options;
    private readonly DirectoryLookupCache<UserRecord> _users;
    private readonly DirectoryLookupCache<IReadOnlyList<SipDigestCredential>> _sipDigests;

    public SqliteUserDirectory(ParleyDatabase database, IDeploymentSettings settings, ICmsStore cms, TimeProvider time, UserDirectoryOptions options)
    {
        options.Validate();
        _database = database;
        _settings = settings;
        _cms = cms;
        _time = time;
        _options = options;
        _users = new DirectoryLookupCache<UserRecord>(options.LookupCacheSize);
        _sipDigests = new DirectoryLookupCache<IReadOnlyList<SipDigestCredential>>(options.LookupCacheSize);
    }

    public ValueTask<UserRecord?> FindUserAsync(Jid bareJid, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var bare = bareJid.Bare;
        return _users.TryGet(bare, _settings.Current.Revision, out var cached)
            ? ValueTask.FromResult<UserRecord?>(cached)
            : ReadUserAsync(bare, cancellationToken);
    }

    public ValueTask<UserRecord?> ReadUserAsync(Jid bareJid, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var bare = bareJid.Bare;
        var revision = _settings.Current.Revision;
        var key = bare.ToString();
        var users = _database.Read("looking up a user", session => ReadUsers(session, "WHERE u.jid = $jid", ("$jid", key)));
        if (users.Count == 0)
        {
            return ValueTask.FromResult<UserRecord?>(null);
        }

        // A refusal is never served from the cache: enabling an account in the CLI must work at once.
        if (users[0].Enabled)
        {
            _users.Add(bare, users[0], revision, _settings.Current.Revision);
        }

        return ValueTask.FromResult<UserRecord?>(users[0]);
    }

    public Task<IReadOnlyList<SipDigestCredential>> GetSipDigestCredentialsAsync(Jid bareJid, CancellationToken cancellationToken)
    {
        var bare = bareJid.Bare;
        var revision = _settings.Current.Revision;
        return _sipDigests.TryGet(bare, revision, out var cached) ? Task.FromResult(cached) : ReadSipDigestCredentialsAsync(bare, revision, cancellationToken);
    }

    public Task<IReadOnlyList<SipDigestCredential>> ReadSipDigestCredentialsAsync(Jid bareJid, CancellationToken cancellationToken)
        => ReadSipDigestCredentialsAsync(bareJid.Bare, _settings.Current.Revision, cancellationToken);

    public Task<IReadOnlyList<UserRecord>> ListUsersAsync(string? domain, CancellationToken cancellationToken)
        => _database.ReadAsync<IReadOnlyList<UserRecord>>("listing users", session => domain is null
            ? ReadUsers(session, "")
            : ReadUsers(session, "WHERE u.domain = $domain", ("$domain", NormaliseDomain(domain))), cancellationToken);

    public async Task AddUserAsync(Jid bareJid, string password, string actor, CancellationToken cancellationToken)
    {
        var jid = RequireUserJid(bareJid);
        // PBKDF2 is deliberately slow: derive before taking the write lock.
        var credentials = DeriveCredentials(jid, password);
        var created = _time.GetUtcNow();
        await _database.WriteAsync($"adding user {jid}", session =>
        {
            RequireHostedDomain(session, jid.Domain);
            if (session.ScalarInt64("SELECT count(*) FROM users WHERE jid = $jid", ("$jid", jid.ToString())) > 0)
            {
                throw new DirectoryException(DirectoryError.UserExists, $"User {jid} already exists. Fix: choose another name, or change the password with `parley user passwd {jid}`.");
            }

            session.Execute("INSERT INTO users (jid, domain, enabled, created_ms) VALUES ($jid, $domain, 1, $created)",
                ("$jid", jid.ToString()), ("$domain", jid.Domain), ("$created", StoredTime.ToStored(created)));
            var userId = session.ScalarInt64("SELECT last_insert_rowid()");
            WriteCredentials(session, userId, credentials);
            return SqliteRevisions.Record(session, created, actor, $"user {jid} added");
        }, cancellationToken).ConfigureAwait(false);
        Invalidate();
        await _settings.RefreshAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task SetPasswordAsync(Jid bareJid, string password, string actor, CancellationToken cancellationToken)
    {
        var jid = RequireUserJid(bareJid);
        var credentials = DeriveCredentials(jid, password);
        await _database.WriteAsync($"changing the password of {jid}", session =>
        {
            var userId = RequireUserId(session, jid);
            DeleteCredentials(session, userId);
            WriteCredentials(session, userId, credentials);
            return SqliteRevisions.Record(session, _time.GetUtcNow(), actor, $"user {jid} password changed");
        }, cancellationToken).ConfigureAwait(false);
        Invalidate();
        await _settings.RefreshAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task SetEnabledAsync(Jid bareJid, bool enabled, string actor, CancellationToken cancellationToken)
    {
        var jid = RequireUserJid(bareJid);
        await _database.WriteAsync($"{(enabled ? "enabling" : "disabling")} user {jid}", session =>
        {
            var userId = RequireUserId(session, jid);
            session.Execute("UPDATE users SET enabled = $enabled WHERE id = $id", ("$enabled", enabled ? 1 : 0), ("$id", userId));
            return SqliteRevisions.Record(session, _time.GetUtcNow(), actor, $"user {jid} {(enabled ? "enabled" : "disabled")}");
        }, cancellationToken).ConfigureAwait(false);
        Invalidate();
        await _settings.RefreshAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task RemoveUserAsync(Jid bareJid, string actor, CancellationToken cancellationToken)
    {
        var jid = RequireUserJid(bareJid);
        var key = jid.ToString();
        await _database.WriteAsync($"removing user {jid}", session =>
        {
            var userId = RequireUserId(session, jid);
            // The user's own data goes with them. Other users keep them as a contact (as the seed's delete tool
            // does): their roster items stay until those users remove them.
            session.Execute("DELETE FROM roster_items WHERE owner = $owner", ("$owner", key));
            session.Execute("DELETE FROM roster_versions WHERE owner = $owner", ("$owner", key));
            session.Execute("DELETE FROM privacy_entries WHERE owner = $owner", ("$owner", key));
            session.Execute("DELETE FROM offline_messages WHERE owner = $owner", ("$owner", key));
            session.Execute("DELETE FROM sip_bindings WHERE aor = $owner", ("$owner", key));
            session.Execute("DELETE FROM users WHERE id = $id", ("$id", userId));
            return SqliteRevisions.Record(session, _time.GetUtcNow(), actor, $"user {jid} removed");
        }, cancellationToken).ConfigureAwait(false);
        Invalidate();
        await _settings.RefreshAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<string>> ListDomainsAsync(CancellationToken cancellationToken)
        => _database.ReadAsync<IReadOnlyList<string>>("listing domains",
            session => session.Query("SELECT name FROM domains ORDER BY name", reader => reader.GetString(0)), cancellationToken);

    /// <summary>A change to the CMS domains document (the store keeps the <c>domains</c> table in step on the master).</summary>
    public async Task AddDomainAsync(string domain, string actor, CancellationToken cancellationToken)
    {
        var name = NormaliseDomain(domain);
        await _cms.ChangeAsync(configuration => configuration.Domains.Contains(name, StringComparer.Ordinal)
            ? throw new DirectoryException(DirectoryError.DomainExists, $"Domain {name} is already hosted. Nothing to do; see `parley domain list`.")
            : configuration with { Domains = [.. configuration.Domains, name] },
            actor, $"domain {name} added", cancellationToken).ConfigureAwait(false);
        Invalidate();
        await _settings.RefreshAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Refused (DomainHasUsers, by the store) while this node has users in the domain.</summary>
    public async Task RemoveDomainAsync(string domain, string actor, CancellationToken cancellationToken)
    {
        var name = NormaliseDomain(domain);
        await _cms.ChangeAsync(configuration => configuration.Domains.Contains(name, StringComparer.Ordinal)
            ? configuration with { Domains = configuration.Domains.Where(d => d != name).ToArray() }
            : throw new DirectoryException(DirectoryError.DomainNotFound, $"Domain {name} is not hosted by this deployment. Fix: run `parley domain add {name}` first."),
            actor, $"domain {name} removed", cancellationToken).ConfigureAwait(false);
        Invalidate();
        await _settings.RefreshAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<SipDigestCredential>> ReadSipDigestCredentialsAsync(Jid bare, long revision, CancellationToken cancellationToken)
    {
        var credentials = await _database.ReadAsync<IReadOnlyList<SipDigestCredential>>("looking up SIP digest credentials", session => session.Query(
            """
            SELECT d.algorithm, d.username, d.realm, d.ha1
            FROM sip_digest_credentials d JOIN users u ON u.id = d.user_id
            WHERE u.jid = $jid
            """,
            reader => new SipDigestCredential(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)),
            ("$jid", bare.ToString())), cancellationToken).ConfigureAwait(false);
        if (credentials.Count > 0)
        {
            _sipDigests.Add(bare, credentials, revision, _settings.Current.Revision);
        }

        return credentials;
    }

    /// <summary>Forgets cached lookups after this process changed the directory, before the new revision is read.</summary>
    private void Invalidate()
    {
        _users.Clear();
        _sipDigests.Clear();
    }

    /// <summary>The RFC 7622 form of a domain name, or <see cref="DirectoryError.InvalidDomain"/>.</summary>
    public static string NormaliseDomain(string domain)
    {
        if (!Jid.TryCreate(null, domain.Trim(), null, out var jid, out var error))
        {
            throw new DirectoryException(DirectoryError.InvalidDomain, $"'{domain}' is not a valid domain name: {error?.TrimEnd('.')}. Fix: use a DNS name such as example.com.");
        }

        return jid.Domain;
    }

    private static Jid RequireUserJid(Jid jid)
    {
        if (jid.Local is null)
        {
            throw new DirectoryException(DirectoryError.InvalidJid, $"'{jid}' has no local part. Fix: give a user address such as alice@{jid.Domain}.");
        }

        return jid.Bare;
    }

    private static void RequireHostedDomain(SqliteSession session, string domain)
    {
        if (session.ScalarInt64("SELECT count(*) FROM domains WHERE name = $name", ("$name", domain)) == 0)
        {
            throw new DirectoryException(DirectoryError.DomainNotFound, $"Domain {domain} is not hosted by this deployment. Fix: run `parley domain add {domain}` first.");
        }
    }

    private static long RequireUserId(SqliteSession session, Jid jid)
    {
        var id = session.Query("SELECT id FROM users WHERE jid = $jid", reader => reader.GetInt64(0), ("$jid", jid.ToString()));
        if (id.Count == 0)
        {
            throw new DirectoryException(DirectoryError.UserNotFound, $"User {jid} does not exist. Fix: check the address with `parley user list --domain {jid.Domain}`.");
        }

        return id[0];
    }

    private PasswordCredentials DeriveCredentials(Jid user, string password)
    {
        if (PasswordProblem(password) is { } problem)
        {
            throw new DirectoryException(DirectoryError.InvalidPassword, $"{char.ToUpperInvariant(problem.Problem[0])}{problem.Problem[1..]}. Fix: {problem.Fix}");
        }

        try
        {
            ScramCredential[] scram =
            [
                ScramCredential.Derive(ScramHash.Sha1, password, RandomNumberGenerator.GetBytes(SaltLength), _options.ScramSha1Iterations),
                ScramCredential.Derive(ScramHash.Sha256, password, RandomNumberGenerator.GetBytes(SaltLength), _options.ScramSha256Iterations),
            ];
            return new PasswordCredentials(scram, SipDigestCredential.Derive(user, password));
        }
        catch (ArgumentException e)
        {
            // SASLprep (RFC 4013) refuses control and unassigned characters.
            throw new DirectoryException(DirectoryError.InvalidPassword, $"The password cannot be used: {e.Message} Fix: avoid control characters.");
        }
    }

    /// <summary>Why a password cannot be stored (empty, too long, a character SASLprep prohibits), or null. Never quotes the password.</summary>
    private (string Problem, string Fix)? PasswordProblem(string password)
    {
        if (string.IsNullOrEmpty(password))
        {
            return ("the password is empty", "give a non-empty password.");
        }

        if (password.Length > _options.MaxPasswordLength)
        {
            return ($"the password is longer than {_options.MaxPasswordLength} characters", "choose a shorter one.");
        }

        // SASLprep (RFC 4013 §2.3) prohibits control characters: a client could never send this password.
        foreach (var c in password)
        {
            if (char.IsControl(c))
            {
                return ("the password contains a control character (tab, newline…)", "use printable characters only.");
            }
        }

        return null;
    }

    private static void DeleteCredentials(SqliteSession session, long userId)
    {
        session.Execute("DELETE FROM scram_credentials WHERE user_id = $id", ("$id", userId));
        session.Execute("DELETE FROM sip_digest_credentials WHERE user_id = $id", ("$id", userId));
    }

    private static void WriteCredentials(SqliteSession session, long userId, PasswordCredentials credentials)
    {
        foreach (var credential in credentials.Scram)
        {
            session.Execute(
                "INSERT INTO scram_credentials (user_id, hash, salt, iterations, stored_key, server_key) VALUES ($id, $hash, $salt, $iterations, $stored, $server)",
                ("$id", userId), ("$hash", credential.Hash.ToString()), ("$salt", credential.Salt), ("$iterations", credential.Iterations),
                ("$stored", credential.StoredKey), ("$server", credential.ServerKey));
        }

        foreach (var digest in credentials.Digest)
        {
            session.Execute(
                "INSERT INTO sip_digest_credentials (user_id, algorithm, username, realm, ha1) VALUES ($id, $algorithm, $username, $realm, $ha1)",
                ("$id", userId), ("$algorithm", digest.Algorithm), ("$username", digest.UserName), ("$realm", digest.Realm), ("$ha1", digest.Ha1));
        }
    }

    private static List<UserRecord> ReadUsers(SqliteSession session, string where, params (string Name, object? Value)[] parameters)
    {
        var rows = session.Query(
            $"""
            SELECT u.id, u.jid, u.enabled, u.created_ms, c.hash, c.salt, c.iterations, c.stored_key, c.server_key
            FROM users u LEFT JOIN scram_credentials c ON c.user_id = u.id
            {where}
            ORDER BY u.jid, c.hash
            """,
            reader => (
                Id: reader.GetInt64(0),
                Jid: reader.GetString(1),
                Enabled: reader.GetInt64(2) != 0,
                Created: reader.GetInt64(3),
                Credential: reader.IsDBNull(4)
                    ? null
                    : new ScramCredential(Enum.Parse<ScramHash>(reader.GetString(4)), (byte[])reader[5], reader.GetInt32(6), (byte[])reader[7], (byte[])reader[8])),
            parameters);
        return rows
            .GroupBy(row => row.Id)
            .Select(group =>
            {
                var first = group.First();
                return new UserRecord(StoredJid.Parse(first.Jid), first.Enabled,
                    group.Where(row => row.Credential is not null).Select(row => row.Credential!).ToArray(), StoredTime.FromStored(first.Created));
            })
            .ToList();
    }
}
