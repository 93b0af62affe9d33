using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Parley.Server.Management.Documents;

namespace Parley.Server.Management.Replication.Snapshots;

/// <summary>
/// Builds the signed snapshot file of one revision (master side). The configuration must already be normalised
/// (the CMS store saves it so): the payload is then the same bytes for the same configuration and revision.
/// Signs with the private key of the master's node certificate, RSA (RS256) or ECDSA (ES256).
/// </summary>
public sealed class SnapshotWriter
{
    private readonly X509Certificate2 _signer;
    private readonly string _signerPem;
    private readonly string _masterFqdn;
    private readonly string _productVersion;

    public SnapshotWriter(X509Certificate2 signer, string masterFqdn, string productVersion)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(masterFqdn);
        ArgumentException.ThrowIfNullOrWhiteSpace(productVersion);
        if (!signer.HasPrivateKey)
        {
            throw new ArgumentException($"The certificate {signer.Subject} has no private key: the CMS master signs snapshots with its node certificate's key. Fix: configure the node certificate together with its key file.", nameof(signer));
        }

        if (signer.GetRSAPublicKey() is null && signer.GetECDsaPublicKey() is null)
        {
            throw new ArgumentException($"The certificate {signer.Subject} has neither an RSA nor an ECDSA key. Fix: use an RSA or ECDSA node certificate.", nameof(signer));
        }

        _signer = signer;
        _signerPem = signer.ExportCertificatePem();
        _masterFqdn = masterFqdn.ToLowerInvariant();
        _productVersion = productVersion;
    }

    public string MasterFqdn => _masterFqdn;

    /// <summary>The canonical payload alone (what the hash and signature cover).</summary>
    public byte[] SerializePayload(long revision, DateTimeOffset created, DeploymentConfiguration configuration)
    {
        var payload = new SnapshotPayload(SnapshotFormat.Version, revision, SnapshotFormat.FormatTime(created), _masterFqdn, _productVersion, configuration);
        return JsonSerializer.SerializeToUtf8Bytes(payload, DocumentJson.Options);
    }

    public SignedSnapshot Write(long revision, DateTimeOffset created, DeploymentConfiguration configuration)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(revision);
        var payload = SerializePayload(revision, created, configuration);
        var hash = SHA256.HashData(payload);
        var contentHash = SnapshotFormat.HashPrefix + Convert.ToHexStringLower(hash);
        var (algorithm, signature) = Sign(hash);
        var header = JsonSerializer.SerializeToUtf8Bytes(
            new SnapshotHeader(payload.Length, contentHash, algorithm, Convert.ToBase64String(signature), _signerPem), SnapshotFormat.HeaderOptions);

        var length = SnapshotFormat.Magic.Length + header.Length + 1 + payload.Length;
        if (length > SnapshotFormat.MaxBytes)
        {
            throw new InvalidOperationException($"The snapshot of revision {revision} is {length} bytes, over the {SnapshotFormat.MaxBytes}-byte limit. Fix: remove unused static routes or ACL entries.");
        }

        var bytes = new byte[length];
        var span = bytes.AsSpan();
        SnapshotFormat.Magic.CopyTo(span);
        span = span[SnapshotFormat.Magic.Length..];
        header.CopyTo(span);
        span[header.Length] = (byte)'\n';
        payload.CopyTo(span[(header.Length + 1)..]);
        return new SignedSnapshot(revision, created, _masterFqdn, contentHash, bytes);
    }

    private (string Algorithm, byte[] Signature) Sign(byte[] hash)
    {
        using var rsa = _signer.GetRSAPrivateKey();
        if (rsa is not null)
        {
            return (SnapshotFormat.Rs256, rsa.SignHash(hash, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }

        using var ecdsa = _signer.GetECDsaPrivateKey()
                          ?? throw new InvalidOperationException($"Internal error: the private key of {_signer.Subject} is not usable for signing.");
        return (SnapshotFormat.Es256, ecdsa.SignHash(hash));
    }
}
