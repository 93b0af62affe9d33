using Parley.Server.Diagnostics;
using Parley.Server.Directory;
using Parley.Sip.Authentication;
using Parley.Sip.Messages;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Sip.Core;

/// <summary>
/// SIP digest authentication of this server's users (RFC 3261 §22, RFC 7616): REGISTER is challenged 401 with
/// WWW-Authenticate, other requests 407 with Proxy-Authenticate; realm = the user's domain; one challenge per algorithm
/// of <see cref="SipServerOptions.DigestAlgorithms"/> in that order (MD5 alone by default, for the clients deployed:
/// see there), qop=auth; stateless nonces (<see cref="NonceService"/>), stale=true when only the nonce expired.
/// Credentials in an algorithm not offered get a fresh challenge, so a deployment that dropped MD5 cannot be made to
/// take it. The authenticated user must be the From user (403 otherwise). Failures become events with the source address.
/// </summary>
public sealed class DigestAuthenticator(IUserDirectory directory, NonceService nonces, SourceEventThrottle failures, IEventLog events, SipServerOptions options)
{
    private readonly IReadOnlyList<DigestAlgorithm> _offered = [.. options.DigestAlgorithms];

    /// <summary>
    /// Authenticates <paramref name="claimed"/> (the From user; for REGISTER the To user). Returns the user when the
    /// credentials verify; otherwise answers the transaction (401/407 challenge, 400, 403) and returns null.
    /// </summary>
    public async ValueTask<Jid?> AuthenticateAsync(SipServerRequest transaction, Jid claimed, CancellationToken cancellationToken)
    {
        var request = transaction.Request;
        var isRegister = request.Method == SipMethods.Register;
        var realm = claimed.Domain;
        var source = transaction.Source;
        var credentialsHeader = isRegister ? SipHeaderNames.Authorization : SipHeaderNames.ProxyAuthorization;

        DigestCredentials? credentials = null;
        foreach (var value in request.Headers.GetAll(credentialsHeader))
        {
            if (!string.Equals(DigestCredentials.Scheme(value), "Digest", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!DigestCredentials.TryParse(value, out var parsed))
            {
                await transaction.RespondAsync(400, "Malformed credentials", cancellationToken: cancellationToken).ConfigureAwait(false);
                return null;
            }

            if (string.Equals(parsed.Realm, realm, StringComparison.OrdinalIgnoreCase))
            {
                credentials = parsed;
                break;
            }
        }

        if (credentials is null)
        {
            await ChallengeAsync(transaction, realm, stale: false, cancellationToken).ConfigureAwait(false);
            return null;
        }

        var nonceState = nonces.Check(credentials.Nonce);
        var plain = credentials.Algorithm is DigestAlgorithm.Md5 or DigestAlgorithm.Md5Sess ? DigestAlgorithm.Md5 : DigestAlgorithm.Sha256;
        if (nonceState == NonceState.Invalid || credentials.UserHash || !_offered.Contains(plain))
        {
            // Not our nonce (another server's, or forged) or a form we never offered: a fresh challenge, no failure.
            await ChallengeAsync(transaction, realm, stale: false, cancellationToken).ConfigureAwait(false);
            return null;
        }

        if (credentials.Qop is not (null or "auth" or "auth-int") || !DigestUriMatches(credentials.Uri, request.RequestUri))
        {
            await transaction.RespondAsync(400, "Credentials do not match the request", cancellationToken: cancellationToken).ConfigureAwait(false);
            return null;
        }

        if (!Jid.TryCreate(credentials.Username, realm.ToLowerInvariant(), null, out var user, out _))
        {
            failures.Raise(source.Remote.Address, ParleyEvents.Sip.UnknownUser, credentials.Username, source, request.Method);
            await ChallengeAsync(transaction, realm, stale: false, cancellationToken).ConfigureAwait(false);
            return null;
        }

        var account = await directory.FindUserAsync(user, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            // Answered like a wrong password, so the response does not tell which accounts exist.
            failures.Raise(source.Remote.Address, ParleyEvents.Sip.UnknownUser, user, source, request.Method);
            await ChallengeAsync(transaction, realm, stale: false, cancellationToken).ConfigureAwait(false);
            return null;
        }

        var stored = await directory.GetSipDigestCredentialsAsync(user, cancellationToken).ConfigureAwait(false);
        var ha1 = StoredHa1(stored, plain, user);
        if (ha1 is not null && !DigestCalculator.Verify(credentials, request.Method, ha1.Ha1, request.Body.Span))
        {
            // The cached HA1 may predate a password change made by another process (the CLI): decide on the stored one.
            ha1 = StoredHa1(await directory.ReadSipDigestCredentialsAsync(user, cancellationToken).ConfigureAwait(false), plain, user);
            account = await directory.ReadUserAsync(user, cancellationToken).ConfigureAwait(false) ?? account;
        }

        if (ha1 is null)
        {
            events.Raise(ParleyEvents.Sip.NoSipCredentials, user, source);
            await transaction.RespondAsync(403, "Account has no SIP credentials: ask the administrator to reset the password", cancellationToken: cancellationToken).ConfigureAwait(false);
            return null;
        }

        if (!DigestCalculator.Verify(credentials, request.Method, ha1.Ha1, request.Body.Span))
        {
            failures.Raise(source.Remote.Address, ParleyEvents.Sip.DigestFailed, user, source, request.Method, "wrong password (digest response does not verify)");
            await ChallengeAsync(transaction, realm, stale: false, cancellationToken).ConfigureAwait(false);
            return null;
        }

        if (nonceState == NonceState.Stale)
        {
            // The password was right; only the nonce is old: the client retries at once without asking the user.
            await ChallengeAsync(transaction, realm, stale: true, cancellationToken).ConfigureAwait(false);
            return null;
        }

        if (!account.Enabled)
        {
            failures.Raise(source.Remote.Address, ParleyEvents.Sip.DisabledAccount, user, source, request.Method);
            await transaction.RespondAsync(403, "Account disabled", cancellationToken: cancellationToken).ConfigureAwait(false);
            return null;
        }

        if (user != claimed.Bare)
        {
            events.Raise(ParleyEvents.Sip.IdentityMismatch, user, claimed, source);
            await transaction.RespondAsync(403, "From does not match the authenticated user", cancellationToken: cancellationToken).ConfigureAwait(false);
            return null;
        }

        return user;
    }

    private ValueTask ChallengeAsync(SipServerRequest transaction, string realm, bool stale, CancellationToken cancellationToken)
    {
        var isRegister = transaction.Request.Method == SipMethods.Register;
        var nonce = nonces.Create();
        return transaction.RespondAsync(isRegister ? 401 : 407, null, response =>
        {
            foreach (var algorithm in _offered)
            {
                var challenge = new DigestChallenge(realm, nonce) { Algorithm = algorithm, Qop = ["auth"], Stale = stale };
                response.Headers.Add(isRegister ? SipHeaderNames.WwwAuthenticate : SipHeaderNames.ProxyAuthenticate, challenge.ToString());
            }
        }, cancellationToken);
    }

    /// <summary>RFC 3261 §22.4: the digest-uri is the Request-URI; compared as URIs since clients re-escape or reorder parameters.</summary>
    private static bool DigestUriMatches(string digestUri, SipUri requestUri)
        => string.Equals(digestUri, requestUri.ToString(), StringComparison.OrdinalIgnoreCase)
           || (SipUri.TryParse(digestUri, out var parsed) && parsed.Equals(requestUri));

    private static SipDigestCredential? StoredHa1(IReadOnlyList<SipDigestCredential> stored, DigestAlgorithm algorithm, Jid user)
        => stored.FirstOrDefault(c => c.DigestAlgorithm == algorithm && string.Equals(c.Realm, user.Domain, StringComparison.Ordinal));
}
