using System.Security.Cryptography.X509Certificates;

namespace Parley.Server.Management.Replication.Snapshots;

/// <summary>The names a certificate is valid for: its DNS SANs and its subject CN (how a node's FQDN is matched).</summary>
public static class CertificateNames
{
    public static IReadOnlyList<string> Of(X509Certificate2 certificate)
    {
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames()).ToList();
        var cn = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        if (!string.IsNullOrEmpty(cn) && !names.Contains(cn, StringComparer.OrdinalIgnoreCase))
        {
            names.Insert(0, cn);
        }

        return names;
    }
}
