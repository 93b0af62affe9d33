using Parley.Sip.Authentication;
using Parley.Sip.Parsing;
using Parley.Sip.Transactions;
using Parley.Sip.Transport;

namespace Parley.Server.Sip;

/// <summary>
/// Ports, bounds and timers of the SIP service. Defaults follow RFC 3261 and common registrars (Kamailio's registrar
/// module: min_expires 60, max_expires 3600, default_expires 3600). <see cref="Validate"/> names a bad setting.
/// </summary>
public sealed record SipServerOptions
{
    public const int DefaultPort = 5060;
    public const int DefaultTlsPort = 5062;

    /// <summary>UDP and TCP port for SIP without TLS; 0 disables both.</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>TLS port with server authentication only (the node certificate), for SIP clients; 0 disables it.</summary>
    public int TlsPort { get; init; } = DefaultTlsPort;

    /// <summary>Bounds on one received message (64 KiB by default).</summary>
    public SipLimits Limits { get; init; } = new();

    /// <summary>Connections, idle and write timeouts, UDP rates.</summary>
    public SipTransportLimits TransportLimits { get; init; } = new();

    /// <summary>RFC 3261 T1/T2/T4 (500 ms, 4 s, 5 s); Timer B/F = 64·T1.</summary>
    public SipTimers Timers { get; init; } = SipTimers.Default;

    /// <summary>Shortest registration accepted; shorter ones get 423 Interval Too Brief with Min-Expires (RFC 3261 §10.3 step 7).</summary>
    public TimeSpan MinExpires { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest registration granted; longer requests are shortened to this.</summary>
    public TimeSpan MaxExpires { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Registration time when the client asks none (neither Expires header nor parameter).</summary>
    public TimeSpan DefaultExpires { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Registered contacts per user; a REGISTER adding more is refused (403 with a Warning).</summary>
    public int MaxBindingsPerUser { get; init; } = 10;

    /// <summary>
    /// The digest algorithms challenged with, one challenge each in this order; credentials are accepted only for
    /// these (their -sess forms included). MD5 alone by default, because the clients deployed do only MD5 and some break
    /// on anything else: sipp 3.6.1 answers only the first challenge and only with MD5, and baresip 1.0 fails on any
    /// SHA-256 challenge even next to an MD5 one, and most desk phones know no SHA-256. MD5 is weak (a captured
    /// exchange can be brute-forced offline), so deployments whose clients all do SHA-256 should set
    /// ["SHA-256", "MD5"] (SHA-256 first, RFC 7616 §3.7) or ["SHA-256"]; both HA1s are stored for every password.
    /// </summary>
    public IReadOnlyList<DigestAlgorithm> DigestAlgorithms { get; init; } = [DigestAlgorithm.Md5];

    /// <summary>How long a digest nonce is accepted; an older one gets a new challenge with stale=true (RFC 7616 §3.3).</summary>
    public TimeSpan NonceLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Failures from one address within <see cref="AuthFailureWindow"/> after which they are logged once per window.</summary>
    public int AuthFailuresBeforeThrottle { get; init; } = 10;

    public TimeSpan AuthFailureWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>An IM session (INVITE dialog) with no traffic for this long is ended with BYE.</summary>
    public TimeSpan ImSessionIdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Open IM sessions per user; more INVITEs get 486 Busy Here.</summary>
    public int MaxImSessionsPerUser { get; init; } = 50;

    /// <summary>Largest text accepted in one MESSAGE body (bytes); larger gets 413.</summary>
    public int MaxMessageBodyBytes { get; init; } = 16 * 1024;

    /// <summary>
    /// Requests handled at once; beyond it new requests get 503 with Retry-After (RFC 3261 §21.5.4) instead of queueing
    /// without bound: a flood must cost a bounded amount of memory.
    /// </summary>
    public int MaxConcurrentRequests { get; init; } = 2048;

    /// <summary>
    /// Further requests that only requests inside a dialog (To tag: NOTIFY, BYE, in-dialog MESSAGE, relayed through the
    /// routing node or not) may use above <see cref="MaxConcurrentRequests"/>. Under overload new work is refused first
    /// and work already admitted still completes (RFC 6357 §4): refusing the NOTIFYs of subscriptions just accepted
    /// only brings the same work back as retries.
    /// </summary>
    public int InDialogReserve { get; init; } = 2048;

    /// <summary>
    /// PEM file of the CA certificate(s) trusted for federation peers over TLS (bootstrap <c>certificates.trustedPeerCa</c>,
    /// else <c>cms.caCertificate</c>); null = the node's private CA, <c>&lt;data&gt;/certs/ca.pem</c>. Never the system store.
    /// </summary>
    public string? TrustedPeerCaPath { get; init; }

    /// <summary>
    /// The deployment CA (bootstrap <c>cms.caCertificate</c>); null = the node's private CA. Trusted on the peer-auth
    /// listener for the deployment's own nodes (a routing node forwarding to a home node), next to <see cref="TrustedPeerCaPath"/>.
    /// </summary>
    public string? DeploymentCaPath { get; init; }

    /// <summary>Product token sent in Server and User-Agent headers.</summary>
    public string ProductToken { get; init; } = "Parley";

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the setting and its allowed range.</summary>
    public void Validate()
    {
        ValidPort(nameof(Port), Port);
        ValidPort(nameof(TlsPort), TlsPort);
        if (Port != 0 && Port == TlsPort)
        {
            throw new ArgumentOutOfRangeException(nameof(TlsPort), TlsPort, $"{nameof(TlsPort)} must differ from {nameof(Port)} ({Port}).");
        }

        Positive(nameof(MinExpires), MinExpires);
        if (MaxExpires < MinExpires)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxExpires), MaxExpires, $"{nameof(MaxExpires)} must be at least {nameof(MinExpires)} ({MinExpires}).");
        }

        if (DefaultExpires < MinExpires || DefaultExpires > MaxExpires)
        {
            throw new ArgumentOutOfRangeException(nameof(DefaultExpires), DefaultExpires, $"{nameof(DefaultExpires)} must be from {MinExpires} to {MaxExpires}.");
        }

        ValidDigestAlgorithms(DigestAlgorithms);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxBindingsPerUser, nameof(MaxBindingsPerUser));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(AuthFailuresBeforeThrottle, nameof(AuthFailuresBeforeThrottle));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxImSessionsPerUser, nameof(MaxImSessionsPerUser));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxMessageBodyBytes, nameof(MaxMessageBodyBytes));
        Positive(nameof(NonceLifetime), NonceLifetime);
        Positive(nameof(AuthFailureWindow), AuthFailureWindow);
        Positive(nameof(ImSessionIdleTimeout), ImSessionIdleTimeout);
        ArgumentException.ThrowIfNullOrWhiteSpace(ProductToken, nameof(ProductToken));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentRequests, 1, nameof(MaxConcurrentRequests));
        ArgumentOutOfRangeException.ThrowIfNegative(InDialogReserve, nameof(InDialogReserve));
    }

    /// <summary>Only MD5 and SHA-256 have stored HA1s; -sess forms are never offered (credentials in them are still accepted).</summary>
    private static void ValidDigestAlgorithms(IReadOnlyList<DigestAlgorithm> algorithms)
    {
        if (algorithms is null || algorithms.Count == 0 || algorithms.Any(a => a is not (DigestAlgorithm.Md5 or DigestAlgorithm.Sha256)) || algorithms.Distinct().Count() != algorithms.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(DigestAlgorithms), algorithms is null ? "null" : string.Join(", ", algorithms),
                $"{nameof(DigestAlgorithms)} must list MD5, SHA-256 or both, each once, in the order offered.");
        }
    }

    private static void ValidPort(string name, int port)
    {
        if (port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(name, port, $"{name} must be 0 (disabled) or a port from 1 to 65535.");
        }
    }

    private static void Positive(string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a positive duration.");
        }
    }
}
