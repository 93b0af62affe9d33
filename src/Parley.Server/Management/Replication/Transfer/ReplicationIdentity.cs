using System.Security.Cryptography.X509Certificates;
using Parley.Server.Configuration;
using Parley.Server.Security;

namespace Parley.Server.Management.Replication.Transfer;

/// <summary>
/// Who this node trusts for replication and what it signs snapshots with. The deployment CA is bootstrap
/// <c>cms.caCertificate</c>; else the node's private CA (which issued its generated certificate); else the root of the
/// configured certificate chain. A configured certificate whose chain file stops below its root, with no
/// <c>cms.caCertificate</c>, cannot be checked by anyone: a single node then signs with a certificate from its own
/// private CA (<c>&lt;data&gt;/certs</c>) so it keeps serving as before; other nodes need <c>cms.caCertificate</c>.
/// </summary>
public sealed record ReplicationIdentity(X509Certificate2Collection Authorities, string Source, X509Certificate2 Signer)
{
    public static ReplicationIdentity Resolve(NodeOptions options, NodeCertificate node, Func<NodeCertificate> privateIdentity)
    {
        if (options.CmsCaCertificatePath is { } configured)
        {
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPemFile(configured);
            return new ReplicationIdentity(authorities, configured, node.Certificate);
        }

        if (options.CertificatePath is null && node.CaCertificatePath is { } privateCa)
        {
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPemFile(privateCa);
            return new ReplicationIdentity(authorities, privateCa, node.Certificate);
        }

        var top = node.Intermediates.Count > 0 ? node.Intermediates[^1] : node.Certificate;
        if (top.SubjectName.RawData.AsSpan().SequenceEqual(top.IssuerName.RawData))
        {
            return new ReplicationIdentity([X509CertificateLoader.LoadCertificate(top.RawData)], $"the root of {options.CertificatePath}", node.Certificate);
        }

        var own = privateIdentity();
        var ca = new X509Certificate2Collection();
        ca.ImportFromPemFile(own.CaCertificatePath ?? throw new InvalidOperationException("Internal error: a generated identity without its CA."));
        return new ReplicationIdentity(ca, $"{own.CaCertificatePath} (the node's private CA: set cms.caCertificate for a deployment of several nodes)", own.Certificate);
    }
}
