using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Server.Configuration;
using Parley.Server.Diagnostics;
using Parley.Server.Security;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Security;

public sealed class NodeCertificateProvisionerTests
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    private static readonly DateTimeOffset Start = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void First_start_creates_a_ca_and_a_node_certificate_that_chains_to_it()
    {
        using var temp = new TempDirectory();
        var events = new RecordingEventLog();
        using var node = Provisioner(Start, events).Provision(Options(temp), ["example.com", "corp.example"]);

        Assert.Equal(NodeCertificateOrigin.Created, node.Origin);
        Assert.True(node.Certificate.HasPrivateKey);
        Assert.Equal("CN=parley.example.com", node.Certificate.Subject);
        Assert.Equal(["parley.example.com", "example.com", "corp.example"], DnsNames(node.Certificate));
        var usages = node.Certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value);
        Assert.Contains(ServerAuth, usages);
        Assert.Contains(ClientAuth, usages);

        using var ca = X509CertificateLoader.LoadCertificateFromFile(temp.Combine("data", "certs", "ca.pem"));
        var constraints = ca.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.True(constraints.CertificateAuthority);
        Assert.True(ca.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign));
        Assert.True(ca.NotAfter.ToUniversalTime() > Start.UtcDateTime.AddYears(9));
        Assert.InRange(node.Certificate.NotAfter.ToUniversalTime(), Start.UtcDateTime.AddDays(729), Start.UtcDateTime.AddDays(731));

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = Start.UtcDateTime.AddDays(1);
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ServerAuth));
        Assert.True(chain.Build(node.Certificate), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Contains(events.Raised, e => e.Definition == ParleyEvents.Tls.NodeCertificateCreated);
    }

    [Fact]
    public void Private_keys_are_readable_by_the_owner_only()
    {
        using var temp = new TempDirectory();
        using var _ = Provisioner(Start).Provision(Options(temp), ["example.com"]);
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        foreach (var key in new[] { "ca.key", "node.key" })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(temp.Combine("data", "certs", key)));
        }

        Assert.Empty(System.IO.Directory.GetFiles(temp.Combine("data", "certs"), "*.tmp"));
    }

    [Fact]
    public void A_later_start_reuses_the_certificate()
    {
        using var temp = new TempDirectory();
        using var first = Provisioner(Start).Provision(Options(temp), ["example.com"]);
        using var second = Provisioner(Start.AddDays(100)).Provision(Options(temp), ["example.com"]);

        Assert.Equal(NodeCertificateOrigin.Reused, second.Origin);
        Assert.Equal(first.Certificate.Thumbprint, second.Certificate.Thumbprint);
        Assert.True(second.Certificate.HasPrivateKey);
    }

    [Fact]
    public void A_new_hosted_domain_or_fqdn_makes_it_reissue_from_the_same_ca()
    {
        using var temp = new TempDirectory();
        using var first = Provisioner(Start).Provision(Options(temp), ["example.com"]);
        var ca = File.ReadAllText(temp.Combine("data", "certs", "ca.pem"));
        using var withDomain = Provisioner(Start).Provision(Options(temp), ["example.com", "example.org"]);
        using var withFqdn = Provisioner(Start).Provision(Options(temp) with { Fqdn = "node2.example.com" }, ["example.com", "example.org"]);

        Assert.Equal(NodeCertificateOrigin.Reissued, withDomain.Origin);
        Assert.Contains("example.org", DnsNames(withDomain.Certificate));
        Assert.Equal(NodeCertificateOrigin.Reissued, withFqdn.Origin);
        Assert.Equal("CN=node2.example.com", withFqdn.Certificate.Subject);
        Assert.Equal(ca, File.ReadAllText(temp.Combine("data", "certs", "ca.pem")));
    }

    [Fact]
    public void A_certificate_expiring_within_30_days_is_reissued()
    {
        using var temp = new TempDirectory();
        using var first = Provisioner(Start).Provision(Options(temp), ["example.com"]);
        using var late = Provisioner(Start.AddDays(710)).Provision(Options(temp), ["example.com"]);

        Assert.Equal(NodeCertificateOrigin.Reissued, late.Origin);
        Assert.True(late.Certificate.NotAfter > first.Certificate.NotAfter);
    }

    [Fact]
    public void A_configured_certificate_is_loaded_with_its_chain()
    {
        using var temp = new TempDirectory();
        var (certificate, key) = WriteConfigured(temp, Start.AddDays(-1), Start.AddDays(90), [ServerAuth, ClientAuth]);

        using var node = Provisioner(Start).Provision(Options(temp) with { CertificatePath = certificate, PrivateKeyPath = key }, ["example.com"]);

        Assert.Equal(NodeCertificateOrigin.Configured, node.Origin);
        Assert.True(node.Certificate.HasPrivateKey);
        Assert.Single(node.Intermediates);
        Assert.False(System.IO.Directory.Exists(temp.Combine("data", "certs")));
    }

    [Fact]
    public void An_expired_configured_certificate_is_refused_with_dates_and_fix()
    {
        using var temp = new TempDirectory();
        var (certificate, key) = WriteConfigured(temp, Start.AddDays(-100), Start.AddDays(-1), [ServerAuth]);
        var events = new RecordingEventLog();

        var error = Assert.Throws<CertificateException>(() => Provisioner(Start, events).LoadConfigured(certificate, key));

        Assert.Equal(CertificateError.Expired, error.Error);
        Assert.Contains(certificate, error.Message);
        Assert.Contains("Fix:", error.Message);
        Assert.Contains(events.Raised, e => e.Definition == ParleyEvents.Tls.ConfiguredCertificateOutOfDate);
    }

    [Fact]
    public void A_configured_certificate_without_server_auth_is_refused()
    {
        using var temp = new TempDirectory();
        var (certificate, key) = WriteConfigured(temp, Start.AddDays(-1), Start.AddDays(90), [ClientAuth]);
        var error = Assert.Throws<CertificateException>(() => Provisioner(Start).LoadConfigured(certificate, key));
        Assert.Equal(CertificateError.MissingServerAuthEku, error.Error);
        Assert.Contains("Server Authentication", error.Message);
    }

    [Fact]
    public void Missing_or_mismatched_configured_files_are_named()
    {
        using var temp = new TempDirectory();
        var (certificate, _) = WriteConfigured(temp, Start.AddDays(-1), Start.AddDays(90), [ServerAuth]);
        var otherKey = temp.Combine("other.key");
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            File.WriteAllText(otherKey, key.ExportPkcs8PrivateKeyPem());
        }

        var missing = Assert.Throws<CertificateException>(() => Provisioner(Start).LoadConfigured(temp.Combine("absent.pem"), otherKey));
        var mismatch = Assert.Throws<CertificateException>(() => Provisioner(Start).LoadConfigured(certificate, otherKey));

        Assert.Equal(CertificateError.Unreadable, missing.Error);
        Assert.Contains("absent.pem", missing.Message);
        Assert.Contains("does not exist", missing.Message);
        Assert.Equal(CertificateError.KeyMismatch, mismatch.Error);
        Assert.Contains("Fix:", mismatch.Message);
    }

    private static NodeCertificateProvisioner Provisioner(DateTimeOffset now, RecordingEventLog? events = null)
        => new(new FixedTimeProvider(now), events ?? new RecordingEventLog(), NullLogger<NodeCertificateProvisioner>.Instance);

    private static NodeOptions Options(TempDirectory temp) => new() { Fqdn = "parley.example.com", DataDirectory = temp.Combine("data") };

    private static string[] DnsNames(X509Certificate2 certificate)
        => certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames().ToArray();

    /// <summary>An "enterprise CA" issued certificate: node certificate then intermediate in one PEM file, key in another.</summary>
    private static (string Certificate, string Key) WriteConfigured(TempDirectory temp, DateTimeOffset notBefore, DateTimeOffset notAfter, string[] usages)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Corp Issuing CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var ca = caRequest.CreateSelfSigned(notBefore.AddDays(-10), notAfter.AddDays(10));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=parley.corp.example", key, HashAlgorithmName.SHA256);
        var oids = new OidCollection();
        foreach (var usage in usages)
        {
            oids.Add(new Oid(usage));
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        using var leaf = request.Create(ca, notBefore, notAfter, [1, 2, 3, 4]);
        var certificatePath = temp.Combine("node.pem");
        var keyPath = temp.Combine("node.key");
        File.WriteAllText(certificatePath, leaf.ExportCertificatePem() + "\n" + ca.ExportCertificatePem() + "\n");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }
}
