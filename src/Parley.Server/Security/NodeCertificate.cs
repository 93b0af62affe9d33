using System.Security.Cryptography.X509Certificates;

namespace Parley.Server.Security;

public enum NodeCertificateOrigin
{
    /// <summary>Loaded from the files named in the bootstrap configuration.</summary>
    Configured,

    /// <summary>Issued now by the node's private CA (first start).</summary>
    Created,

    /// <summary>The certificate issued at an earlier start still fits.</summary>
    Reused,

    /// <summary>Issued again: a name was missing, it was about to expire, or the CA changed.</summary>
    Reissued,
}

/// <summary>
/// The node's TLS identity. <see cref="Certificate"/> carries its private key in a form SslStream accepts on Linux;
/// give <see cref="Intermediates"/> to <c>SslStreamCertificateContext.Create</c> so clients receive the chain.
/// </summary>
public sealed record NodeCertificate(
    X509Certificate2 Certificate,
    X509Certificate2Collection Intermediates,
    NodeCertificateOrigin Origin,
    string CertificatePath,
    string? CaCertificatePath) : IDisposable
{
    public void Dispose()
    {
        Certificate.Dispose();
        foreach (var intermediate in Intermediates)
        {
            intermediate.Dispose();
        }
    }
}
