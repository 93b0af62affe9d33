using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Federation;

/// <summary>How a peer certificate differs from a good one (each is one of Parley's TLS peer checks).</summary>
public enum PeerCertificateFlaw
{
    None,

    /// <summary>serverAuth only: peer authentication needs clientAuth too.</summary>
    ServerAuthOnly,

    /// <summary>Expired yesterday.</summary>
    Expired,

    /// <summary>Issued by a CA Parley was not told to trust.</summary>
    OtherCa,
}

/// <summary>
/// The peer's PKI for the TLS federation tests: a CA Parley trusts for peers (certificates.trustedPeerCa), another
/// CA it does not, and certificates for Kamailio written as PEM files Kamailio's tls.cfg names.
/// </summary>
public sealed class PeerCertificates : IDisposable
{
    public const string KamailioName = "kamailio.peer.test";

    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private readonly (X509Certificate2 Certificate, ECDsa Key) _trusted;
    private readonly (X509Certificate2 Certificate, ECDsa Key) _other;

    public PeerCertificates()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("parley-fed-pki-").FullName;
        _trusted = CreateCa("CN=Parley federation test peer CA, O=Parley tests");
        _other = CreateCa("CN=Parley federation unrelated CA, O=Parley tests");
        TrustedCaPath = Path.Combine(Directory, "peer-ca.pem");
        File.WriteAllText(TrustedCaPath, _trusted.Certificate.ExportCertificatePem());
    }

    public string Directory { get; }

    /// <summary>What Parley's certificates.trustedPeerCa names.</summary>
    public string TrustedCaPath { get; }

    /// <summary>Issues a certificate with CN <paramref name="commonName"/>; returns the PEM certificate and key paths.</summary>
    public (string CertificatePath, string KeyPath) Issue(string fileName, string commonName, PeerCertificateFlaw flaw = PeerCertificateFlaw.None)
    {
        var issuer = flaw == PeerCertificateFlaw.OtherCa ? _other : _trusted;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}, O=Parley federation peer", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        OidCollection usages = flaw == PeerCertificateFlaw.ServerAuthOnly ? [ServerAuth] : [ServerAuth, ClientAuth];
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(commonName);
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer.Certificate, true, false));
        var (notBefore, notAfter) = flaw == PeerCertificateFlaw.Expired
            ? (DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1))
            : (DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(10));
        using var issued = request.Create(issuer.Certificate, notBefore, notAfter, RandomNumberGenerator.GetBytes(12));
        var certificatePath = Path.Combine(Directory, fileName + ".pem");
        var keyPath = Path.Combine(Directory, fileName + ".key");
        File.WriteAllText(certificatePath, issued.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return (certificatePath, keyPath);
    }

    public void Dispose()
    {
        _trusted.Certificate.Dispose();
        _trusted.Key.Dispose();
        _other.Certificate.Dispose();
        _other.Key.Dispose();
        RunDirectories.DeleteUnlessKept(Directory);
    }

    private static (X509Certificate2, ECDsa) CreateCa(string subject)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return (request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(30)), key);
    }
}
