namespace Parley.Server.Security;

public enum CertificateError
{
    /// <summary>A configured file does not exist or cannot be read.</summary>
    Unreadable,

    /// <summary>The file holds no PEM certificate, or the key is not a usable PEM private key.</summary>
    InvalidFormat,

    /// <summary>The private key does not belong to the certificate.</summary>
    KeyMismatch,

    Expired,

    NotYetValid,

    /// <summary>The certificate does not allow Server Authentication (1.3.6.1.5.5.7.3.1).</summary>
    MissingServerAuthEku,

    /// <summary>The node's own CA or certificate could not be written under the data directory.</summary>
    CannotWrite,
}

/// <summary>The node's TLS certificate cannot be used or created; the message names the file and the fix.</summary>
public sealed class CertificateException(CertificateError error, string path, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public CertificateError Error { get; } = error;

    public string Path { get; } = path;
}
