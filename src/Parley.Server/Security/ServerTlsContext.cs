using System.Net.Security;

namespace Parley.Server.Security;

/// <summary>
/// The certificate context every TLS listener presents. Swappable, so a renewed certificate applies to new
/// handshakes without a restart.
/// </summary>
public sealed class ServerTlsContext
{
    private SslStreamCertificateContext? _current;

    public SslStreamCertificateContext Current
        => Volatile.Read(ref _current) ?? throw new InvalidOperationException("Internal error: TLS used before the node certificate was loaded.");

    public void Use(NodeCertificate certificate)
        => Volatile.Write(ref _current, SslStreamCertificateContext.Create(certificate.Certificate, certificate.Intermediates, offline: true));
}
