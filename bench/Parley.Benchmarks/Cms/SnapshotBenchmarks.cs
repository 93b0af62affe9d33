using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using Parley.Server.Management.Documents;
using Parley.Server.Management.Replication.Snapshots;
using Parley.Server.Tests.Management;

namespace Parley.Benchmarks.Cms;

/// <summary>
/// The CMS master's work per revision (serialize + hash + sign) and each replica's (verify) for the large
/// deployment: 10,000 static routes and 10,000 incoming ACL entries. ECDSA P-256 is the node certificate Parley
/// issues itself; RSA 2048 is what a corporate CA often issues. The snapshot size is printed at setup.
/// </summary>
[MemoryDiagnoser]
public class SnapshotBenchmarks
{
    private const string Master = SampleConfigurations.Master;
    private static readonly DateTimeOffset Created = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private DeploymentConfiguration _configuration = new();
    private SnapshotWriter _writer = null!;
    private SnapshotVerifier _verifier = null!;
    private ReadOnlyMemory<byte> _snapshot;

    [Params(10_000)]
    public int Entries { get; set; }

    [Params("ES256", "RS256")]
    public string Signature { get; set; } = "ES256";

    [GlobalSetup]
    public void Setup()
    {
        _configuration = SampleConfigurations.Large(Entries);
        var (ca, node) = Certificates(Signature == "RS256");
        _writer = new SnapshotWriter(node, Master, "1.0.0");
        _verifier = new SnapshotVerifier(X509CertificateLoader.LoadCertificate(ca.RawData), TimeProvider.System);
        _snapshot = _writer.Write(1, Created, _configuration).Bytes;
        var payload = _writer.SerializePayload(1, Created, _configuration).Length;
        Console.WriteLine($"// snapshot {Entries} routes + {Entries} ACL entries, {Signature}: file {_snapshot.Length} bytes, payload {payload} bytes");
    }

    [Benchmark(Description = "serialize payload")]
    public int Serialize() => _writer.SerializePayload(1, Created, _configuration).Length;

    [Benchmark(Description = "build: serialize + hash + sign")]
    public int Build() => _writer.Write(1, Created, _configuration).Bytes.Length;

    [Benchmark(Description = "verify: hash + chain + signature + parse")]
    public long Verify() => _verifier.Verify(_snapshot, Master).Signed.Revision;

    private static (X509Certificate2 Ca, X509Certificate2 Node) Certificates(bool rsa)
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Benchmark deployment CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        using AsymmetricAlgorithm key = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = key is RSA rsaKey
            ? new CertificateRequest($"CN={Master}", rsaKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest($"CN={Master}", (ECDsa)key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(Master);
        request.CertificateExtensions.Add(san.Build());
        using var issued = request.Create(ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), now.AddMinutes(-5), now.AddHours(12), [1, 2, 3, 4]);
        var node = key is RSA r ? issued.CopyWithPrivateKey(r) : issued.CopyWithPrivateKey((ECDsa)key);
        return (ca, X509CertificateLoader.LoadPkcs12(node.Export(X509ContentType.Pkcs12), null));
    }
}
