using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Parley.Server.Management.Documents;

namespace Parley.Server.Management.Replication.Snapshots;

/// <summary>
/// Checks a snapshot file before anything is applied (replica side): size, payload length, hash, that the signer
/// chains to the deployment CA and names the expected master, then the signature. Throws
/// <see cref="SnapshotRejectedException"/> with the first failed check. The revision order is the applier's check.
/// </summary>
public sealed class SnapshotVerifier : ISnapshotVerifier
{
    private readonly X509Certificate2 _deploymentCa;
    private readonly TimeProvider _time;

    public SnapshotVerifier(X509Certificate2 deploymentCa, TimeProvider time)
    {
        _deploymentCa = deploymentCa;
        _time = time;
    }

    public VerifiedSnapshot Verify(ReadOnlyMemory<byte> bytes, string? expectedMaster)
    {
        var span = bytes.Span;
        if (span.Length > SnapshotFormat.MaxBytes)
        {
            throw Reject(SnapshotRejection.Malformed, $"{span.Length} bytes is over the {SnapshotFormat.MaxBytes}-byte limit");
        }

        if (!span.StartsWith(SnapshotFormat.Magic))
        {
            throw span.Length < SnapshotFormat.Magic.Length && SnapshotFormat.Magic.StartsWith(span)
                ? Reject(SnapshotRejection.Truncated, $"only {span.Length} bytes, the file ends inside the first line")
                : Reject(SnapshotRejection.Malformed, "the file does not start with 'PARLEY-SNAPSHOT 1' (not a snapshot, or another format version)");
        }

        var rest = span[SnapshotFormat.Magic.Length..];
        var newline = rest.IndexOf((byte)'\n');
        if (newline < 0)
        {
            throw Reject(SnapshotRejection.Truncated, "the file ends inside the header line");
        }

        var header = ReadHeader(rest[..newline]);
        var payload = bytes[(SnapshotFormat.Magic.Length + newline + 1)..];
        if (payload.Length != header.PayloadLength)
        {
            throw Reject(SnapshotRejection.Truncated, $"the payload is {payload.Length} bytes, the header says {header.PayloadLength}");
        }

        var hash = SHA256.HashData(payload.Span);
        var contentHash = SnapshotFormat.HashPrefix + Convert.ToHexStringLower(hash);
        if (!string.Equals(contentHash, header.ContentHash, StringComparison.Ordinal))
        {
            throw Reject(SnapshotRejection.HashMismatch, $"the payload hashes to {contentHash}, the header says {header.ContentHash}");
        }

        using var signer = ReadSigner(header.Signer);
        CheckChain(signer);
        var names = CertificateNames.Of(signer);
        if (expectedMaster is not null && !names.Contains(expectedMaster, StringComparer.OrdinalIgnoreCase))
        {
            throw Reject(SnapshotRejection.NotTheMaster,
                $"signed by {signer.Subject} (names: {string.Join(", ", names)}), but the CMS master is {expectedMaster}");
        }

        CheckSignature(signer, header, hash);
        var parsed = ReadPayload(payload.Span);
        var created = DateTimeOffset.Parse(parsed.Created, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
        var signed = new SignedSnapshot(parsed.Revision, created, parsed.Master, contentHash, bytes);
        return new VerifiedSnapshot(signed, parsed.Documents, parsed.ProductVersion);
    }

    private static SnapshotHeader ReadHeader(ReadOnlySpan<byte> line)
    {
        try
        {
            var header = JsonSerializer.Deserialize<SnapshotHeader>(line, SnapshotFormat.HeaderOptions);
            return header is { PayloadLength: >= 0 } ? header : throw Reject(SnapshotRejection.Malformed, "the header line is not a valid header");
        }
        catch (JsonException e)
        {
            throw Reject(SnapshotRejection.Malformed, $"the header line is not valid JSON: {e.Message}");
        }
    }

    private static X509Certificate2 ReadSigner(string pem)
    {
        try
        {
            return X509Certificate2.CreateFromPem(pem);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw Reject(SnapshotRejection.Malformed, $"the signer certificate cannot be read: {e.Message}");
        }
    }

    private void CheckChain(X509Certificate2 signer)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_deploymentCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        if (!chain.Build(signer))
        {
            var status = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            throw Reject(SnapshotRejection.UntrustedSigner,
                $"the signer {signer.Subject} (issuer {signer.Issuer}) does not chain to the deployment CA {_deploymentCa.Subject}: {status}");
        }
    }

    private static void CheckSignature(X509Certificate2 signer, SnapshotHeader header, byte[] hash)
    {
        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(header.Signature);
        }
        catch (FormatException)
        {
            throw Reject(SnapshotRejection.BadSignature, "the signature is not base64");
        }

        var valid = header.SignatureAlgorithm switch
        {
            SnapshotFormat.Rs256 => VerifyRsa(signer, hash, signature),
            SnapshotFormat.Es256 => VerifyEcdsa(signer, hash, signature),
            _ => throw Reject(SnapshotRejection.BadSignature, $"unknown signature algorithm '{header.SignatureAlgorithm}' (RS256 or ES256 expected)"),
        };
        if (!valid)
        {
            throw Reject(SnapshotRejection.BadSignature, $"the {header.SignatureAlgorithm} signature does not verify with the key of {signer.Subject}");
        }
    }

    private static bool VerifyRsa(X509Certificate2 signer, byte[] hash, byte[] signature)
    {
        using var rsa = signer.GetRSAPublicKey() ?? throw Reject(SnapshotRejection.BadSignature, $"RS256 signature, but {signer.Subject} has no RSA key");
        return rsa.VerifyHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    private static bool VerifyEcdsa(X509Certificate2 signer, byte[] hash, byte[] signature)
    {
        using var ecdsa = signer.GetECDsaPublicKey() ?? throw Reject(SnapshotRejection.BadSignature, $"ES256 signature, but {signer.Subject} has no ECDSA key");
        return ecdsa.VerifyHash(hash, signature);
    }

    private static SnapshotPayload ReadPayload(ReadOnlySpan<byte> payload)
    {
        SnapshotPayload? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<SnapshotPayload>(payload, DocumentJson.Options);
        }
        catch (JsonException e)
        {
            throw Reject(SnapshotRejection.Malformed, $"the payload is not a valid configuration (at {e.Path}): {e.Message}");
        }

        if (parsed is null || parsed.Format != SnapshotFormat.Version)
        {
            throw Reject(SnapshotRejection.Malformed, $"payload format {parsed?.Format} is not {SnapshotFormat.Version}");
        }

        if (!DateTimeOffset.TryParse(parsed.Created, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out _))
        {
            throw Reject(SnapshotRejection.Malformed, $"created '{parsed.Created}' is not an ISO-8601 time");
        }

        return parsed;
    }

    private static SnapshotRejectedException Reject(SnapshotRejection reason, string detail) => new(reason, detail);
}
