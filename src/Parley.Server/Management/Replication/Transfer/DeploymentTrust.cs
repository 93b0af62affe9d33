using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Parley.Server.Management.Replication.Transfer;

/// <summary>
/// The deployment CA (bootstrap <c>cms.caCertificate</c>, default the node's private CA) and the two checks both ends
/// of a transfer make: the peer's certificate chains to it, and names the expected host (subject CN or a DNS SAN).
/// </summary>
public sealed class DeploymentTrust
{
    private readonly X509Certificate2Collection _authorities;
    private readonly TimeProvider _time;

    public DeploymentTrust(X509Certificate2Collection authorities, string source, TimeProvider time)
    {
        if (authorities.Count == 0)
        {
            throw new ArgumentException($"{source} holds no certificate: replication needs the deployment CA to check the master and the replicas.", nameof(authorities));
        }

        _authorities = authorities;
        _time = time;
        Source = source;
    }

    /// <summary>Where the CA came from, for messages.</summary>
    public string Source { get; }

    /// <summary>Reads every certificate of a PEM file (the CA, possibly with intermediates).</summary>
    public static DeploymentTrust Load(string pemPath, TimeProvider time)
    {
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(pemPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new IOException($"Cannot read the deployment CA {pemPath}: {e.Message}", e);
        }

        return new DeploymentTrust(authorities, pemPath, time);
    }

    /// <summary>Null when <paramref name="certificate"/> chains to the deployment CA now; else why not.</summary>
    public string? ChainProblem(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        if (chain.Build(certificate))
        {
            return null;
        }

        var problems = chain.ChainStatus.Select(status => status.StatusInformation.Trim()).Where(text => text.Length > 0).Distinct();
        return $"does not chain to the deployment CA in {Source} ({string.Join("; ", problems)})";
    }

    /// <summary>The names a certificate vouches for: its subject CN and DNS SANs, as presented.</summary>
    public static IReadOnlyList<string> Names(X509Certificate2 certificate)
    {
        var names = new List<string>();
        var cn = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        if (!string.IsNullOrEmpty(cn))
        {
            names.Add(cn);
        }

        names.AddRange(DnsNames(certificate));
        return names;
    }

    public static IReadOnlyList<string> DnsNames(X509Certificate2 certificate)
        => certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames()).ToArray();

    /// <summary>DNS names compare case-insensitively; no wildcards (a node certificate names its node).</summary>
    public static bool Names(X509Certificate2 certificate, string fqdn)
        => Names(certificate).Any(name => string.Equals(name.TrimEnd('.'), fqdn.TrimEnd('.'), StringComparison.OrdinalIgnoreCase));

    /// <summary>"subject; SANs a, b" for events and refusals.</summary>
    public static string Describe(X509Certificate2 certificate)
        => $"{certificate.Subject} (SANs: {string.Join(", ", DnsNames(certificate))})";
}
