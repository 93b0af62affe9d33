namespace Parley.Server.Diagnostics;

public static partial class ParleyEvents
{
    /// <summary>3100–3199: TLS handshakes and the node's certificates.</summary>
    public static class Tls
    {
        /// <summary>{0} client address, {1} reason.</summary>
        public static readonly EventDefinition HandshakeFailed = new(
            3100, TlsSource, EventLevel.Warning,
            "TLS handshake with client {0} failed: {1}",
            "The client does not trust the node's certificate (private CA not imported, name mismatch), supports no common protocol version or cipher, or closed the connection mid-handshake.",
            "Import the CA certificate (<data>/certs/ca.pem, or your own CA) on the client, check the client connects to a name in the certificate's SAN list, and that it supports TLS 1.2 or later.");

        /// <summary>{0} FQDN, {1} SAN list, {2} expiry, {3} certificate file.</summary>
        public static readonly EventDefinition NodeCertificateCreated = new(
            3101, TlsSource, EventLevel.Information,
            "Created node certificate for {0} (names {1}), valid until {2}, in {3}",
            "No certificate is configured, so the node issued its own from its private CA; this happens on first start, when a hosted domain or the FQDN was missing from the certificate, or when it was about to expire.",
            "Clients must trust the private CA: distribute <data>/certs/ca.pem to them, or configure a certificate from your own CA in the bootstrap file (certificates.certificate and certificates.privateKey).");

        /// <summary>{0} certificate file, {1} reason.</summary>
        public static readonly EventDefinition ConfiguredCertificateUnreadable = new(
            3102, TlsSource, EventLevel.Error,
            "Configured certificate {0} cannot be used: {1}",
            "The certificate or private key file is missing, unreadable, not PEM, or the key does not belong to the certificate.",
            "Check the paths in certificates.certificate and certificates.privateKey, that the files are readable by the user running parley, and that they hold a PEM certificate chain and its matching PKCS#8, RSA or EC private key.");

        /// <summary>{0} certificate file, {1} subject, {2} validity window.</summary>
        public static readonly EventDefinition ConfiguredCertificateOutOfDate = new(
            3103, TlsSource, EventLevel.Error,
            "Configured certificate {0} ({1}) is not valid now: valid {2}",
            "The certificate has expired or is not yet valid; clients refuse it.",
            "Renew the certificate with your CA and replace the file, or remove the certificates section to let the node issue its own.");

        /// <summary>{0} certificate file, {1} subject, {2} EKUs present.</summary>
        public static readonly EventDefinition ConfiguredCertificateMissingEku = new(
            3104, TlsSource, EventLevel.Error,
            "Configured certificate {0} ({1}) lacks the Server Authentication EKU (has: {2})",
            "A certificate used by a server must allow serverAuth (1.3.6.1.5.5.7.3.1); federation peers also require clientAuth (1.3.6.1.5.5.7.3.2).",
            "Request a certificate from a template that includes both Server Authentication and Client Authentication enhanced key usages.");

        /// <summary>{0} certificate file, {1} subject, {2} expiry, {3} days left.</summary>
        public static readonly EventDefinition CertificateExpiringSoon = new(
            3105, TlsSource, EventLevel.Warning,
            "Certificate {0} ({1}) expires on {2}, in {3} days",
            "The configured certificate is close to its end date; after it, clients and peers will refuse TLS.",
            "Renew the certificate with your CA and replace the file before it expires; the node re-reads it at its next start.");
    }
}
