using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Parley.Server.Security;

namespace Parley.Server.Tests.Federation.Inbound;

/// <summary>
/// A CA for federation peer certificates in tests, issuing leaf certificates with a chosen CN, extended key usages and
/// validity window (ECDSA P-256). Certificates are re-imported from PKCS#12 so SslStream accepts their keys on Linux.
/// </summary>
public sealed class PeerCertificates : IDisposable
{
    private readonly List<X509Certificate2> _issued = [];

    public PeerCertificates(string name)
    {
        // Valid since two months ago, so it can issue certificates that have already expired.
        using var ca = PrivateCertificateAuthority.CreateCa(name, DateTimeOffset.UtcNow.AddDays(-60), TimeSpan.FromDays(425));
        Ca = Importable(ca);
        _issued.Add(Ca);
    }

    /// <summary>The CA certificate with its key.</summary>
    public X509Certificate2 Ca { get; }

    /// <summary>Writes the CA certificate as PEM to <paramref name="path"/> (a trusted peer CA file); returns the path.</summary>
    public string WriteCa(string path)
    {
        File.WriteAllText(path, Ca.ExportCertificatePem() + "\n");
        return path;
    }

    /// <summary>A leaf certificate with subject CN <paramref name="commonName"/>, both EKUs unless told, valid now unless told.</summary>
    public X509Certificate2 Issue(string commonName, Oid[]? usages = null, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, string? dnsName = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={commonName}, O=Peer"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([.. usages ?? [PrivateCertificateAuthority.ServerAuth, PrivateCertificateAuthority.ClientAuth]], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(dnsName ?? commonName);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Ca, true, false));
        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(Ca, notBefore ?? now.AddMinutes(-5), notAfter ?? now.AddDays(30), RandomNumberGenerator.GetBytes(12));
        using var withKey = issued.CopyWithPrivateKey(key);
        var certificate = Importable(withKey);
        _issued.Add(certificate);
        return certificate;
    }

    public void Dispose()
    {
        foreach (var certificate in _issued)
        {
            certificate.Dispose();
        }
    }

    private static X509Certificate2 Importable(X509Certificate2 certificate)
        => X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
}
