using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Parley.Server.Security;

namespace Parley.Server.Tests.Support;

/// <summary>
/// A deployment CA for tests: issues node certificates (CN = FQDN, DNS SANs, serverAuth + clientAuth) in memory,
/// and writes them as PEM files for processes that load them from disk. ECDSA P-256 by default, RSA on request.
/// Certificates are re-imported from PKCS#12 so SslStream accepts their keys on Linux.
/// </summary>
public sealed class TestDeploymentCa : IDisposable
{
    private static readonly TimeSpan Validity = TimeSpan.FromDays(30);
    private readonly List<X509Certificate2> _issued = [];

    public TestDeploymentCa(string name = "test-deployment")
    {
        using var ca = PrivateCertificateAuthority.CreateCa(name, DateTimeOffset.UtcNow, TimeSpan.FromDays(365));
        Certificate = Importable(ca);
    }

    /// <summary>The CA certificate with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The CA certificate as PEM (what <c>cms.caCertificate</c> holds).</summary>
    public string CertificatePem => Certificate.ExportCertificatePem();

    /// <summary>The CA certificate without its key (the trust anchor a replica is given).</summary>
    public X509Certificate2 PublicCertificate => X509CertificateLoader.LoadCertificate(Certificate.RawData);

    /// <summary>A node certificate for <paramref name="fqdn"/> (plus <paramref name="extraNames"/> as SANs), ECDSA P-256.</summary>
    public X509Certificate2 IssueNode(string fqdn, params string[] extraNames)
        => Track(Importable(PrivateCertificateAuthority.IssueNode(Certificate, fqdn, [fqdn, .. extraNames], DateTimeOffset.UtcNow, Validity)));

    /// <summary>A node certificate with an RSA 2048 key.</summary>
    public X509Certificate2 IssueRsaNode(string fqdn, params string[] extraNames)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={fqdn}"), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([PrivateCertificateAuthority.ServerAuth, PrivateCertificateAuthority.ClientAuth], false));
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in (string[])[fqdn, .. extraNames])
        {
            san.AddDnsName(name);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var now = DateTimeOffset.UtcNow;
        using var caKey = Certificate.GetECDsaPrivateKey()!;
        using var issued = request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), now.AddMinutes(-5), now + Validity, RandomNumberGenerator.GetBytes(12));
        using var withKey = issued.CopyWithPrivateKey(key);
        return Track(Importable(withKey));
    }

    /// <summary>A self-signed certificate for <paramref name="fqdn"/> that no deployment CA issued.</summary>
    public static X509Certificate2 SelfSigned(string fqdn)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={fqdn}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(fqdn);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30));
        return Importable(certificate);
    }

    /// <summary>Writes <c>ca.pem</c> into <paramref name="directory"/>; returns its path.</summary>
    public string WriteCa(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "ca.pem");
        File.WriteAllText(path, CertificatePem);
        return path;
    }

    /// <summary>Issues a node certificate and writes <c>&lt;fqdn&gt;.pem</c> and <c>&lt;fqdn&gt;.key</c> (PKCS#8) into <paramref name="directory"/>.</summary>
    public (string CertificatePath, string KeyPath, X509Certificate2 Certificate) WriteNode(string directory, string fqdn, bool rsa = false, params string[] extraNames)
    {
        var certificate = rsa ? IssueRsaNode(fqdn, extraNames) : IssueNode(fqdn, extraNames);
        return (WritePem(directory, fqdn, certificate), Path.Combine(directory, fqdn + ".key"), certificate);
    }

    /// <summary>Writes an existing certificate and key as PEM files named after <paramref name="baseName"/>.</summary>
    public static string WritePem(string directory, string baseName, X509Certificate2 certificate)
    {
        System.IO.Directory.CreateDirectory(directory);
        var certificatePath = Path.Combine(directory, baseName + ".pem");
        var keyPath = Path.Combine(directory, baseName + ".key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem() + "\n");
        AsymmetricAlgorithm key = (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey()
                                  ?? throw new InvalidOperationException($"{certificate.Subject} has no private key");
        using (key)
        {
            File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        }

        File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return certificatePath;
    }

    public void Dispose()
    {
        foreach (var certificate in _issued)
        {
            certificate.Dispose();
        }

        Certificate.Dispose();
    }

    private X509Certificate2 Track(X509Certificate2 certificate)
    {
        _issued.Add(certificate);
        return certificate;
    }

    private static X509Certificate2 Importable(X509Certificate2 certificate)
        => X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
}
