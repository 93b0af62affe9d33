using System.Security.Cryptography.X509Certificates;
using Parley.Server.Configuration;
using Parley.Server.Security;

namespace Parley.Server.Management.Replication.Transfer;

/// <summary>
/// Where the deployment CA comes from: bootstrap <c>cms.caCertificate</c>, else the node's private CA
/// (<c>&lt;data&gt;/certs/ca.pem</c>, which signs every certificate a single node issues itself), else the top of
/// the configured certificate chain. Read after the node certificate was provisioned.
/// </summary>
public static class DeploymentCaLocator
{
    public static string? PathFor(NodeOptions options)
    {
        if (options.CmsCaCertificatePath is { } configured)
        {
            return configured;
        }

        var privateCa = Path.Combine(Path.GetFullPath(options.DataDirectory), NodeCertificateProvisioner.DirectoryName, NodeCertificateProvisioner.CaCertificateFile);
        return options.CertificatePath is null && File.Exists(privateCa) ? privateCa : null;
    }

    /// <summary>The trust anchors; <paramref name="nodeCertificate"/> supplies them when no CA file applies (a configured chain).</summary>
    public static X509Certificate2Collection Load(NodeOptions options, NodeCertificate nodeCertificate)
    {
        var authorities = new X509Certificate2Collection();
        if (PathFor(options) is { } path)
        {
            authorities.ImportFromPemFile(path);
            return authorities;
        }

        // A configured certificate without cms.caCertificate: trust the root of its own chain (enough for a single node).
        var top = nodeCertificate.Intermediates.Count > 0 ? nodeCertificate.Intermediates[^1] : nodeCertificate.Certificate;
        authorities.Add(X509CertificateLoader.LoadCertificate(top.RawData));
        return authorities;
    }
}
