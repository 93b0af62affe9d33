using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Parley.Server.Configuration;
using Parley.Server.Diagnostics;

namespace Parley.Server.Security;

/// <summary>
/// Gives the node its TLS certificate. With certificates configured, loads and validates them. Otherwise keeps a
/// private CA and a node certificate in <c>&lt;data&gt;/certs/</c>: created on first start, reused later, and
/// re-issued when the FQDN or a hosted domain is missing from its names (clients verify the domain), when it expires
/// within <see cref="RenewBefore"/>, or when the CA changed.
/// </summary>
public sealed class NodeCertificateProvisioner(TimeProvider time, IEventLog events, ILogger<NodeCertificateProvisioner> logger)
{
    public const string DirectoryName = "certs";
    public const string CaCertificateFile = "ca.pem";
    public const string CaKeyFile = "ca.key";
    public const string NodeCertificateFile = "node.pem";
    public const string NodeKeyFile = "node.key";

    public static readonly TimeSpan CaValidity = TimeSpan.FromDays(3650);
    public static readonly TimeSpan NodeValidity = TimeSpan.FromDays(730);
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    /// <summary>
    /// Returns the certificate to serve. <paramref name="hostedDomains"/> are the deployment's domains, all of which
    /// go into the SAN of a generated certificate. Throws <see cref="CertificateException"/> naming the file and fix.
    /// </summary>
    public NodeCertificate Provision(NodeOptions options, IReadOnlyCollection<string> hostedDomains)
        => options.CertificatePath is not null
            ? LoadConfigured(options.CertificatePath, options.PrivateKeyPath ?? throw new CertificateException(CertificateError.Unreadable, options.CertificatePath,
                $"{options.Source}: certificates.privateKey is missing. Fix: set the private key path next to certificates.certificate."))
            : ProvisionGenerated(options.DataDirectory, options.Fqdn, hostedDomains);

    public NodeCertificate LoadConfigured(string certificatePath, string keyPath)
    {
        try
        {
            return LoadConfiguredCore(certificatePath, keyPath);
        }
        catch (CertificateException e) when (e.Error is CertificateError.Unreadable or CertificateError.InvalidFormat or CertificateError.KeyMismatch)
        {
            // Date and EKU problems raise their own events where they are detected.
            events.Raise(ParleyEvents.Tls.ConfiguredCertificateUnreadable, e.Path, e.Message);
            throw;
        }
    }

    public NodeCertificate ProvisionGenerated(string dataDirectory, string fqdn, IReadOnlyCollection<string> hostedDomains)
    {
        var directory = Path.Combine(Path.GetFullPath(dataDirectory), DirectoryName);
        CreateDirectory(directory);
        var now = time.GetUtcNow();
        var caPath = Path.Combine(directory, CaCertificateFile);
        var caKeyPath = Path.Combine(directory, CaKeyFile);
        var nodePath = Path.Combine(directory, NodeCertificateFile);
        var nodeKeyPath = Path.Combine(directory, NodeKeyFile);

        var ca = CertificateFiles.TryLoad(caPath, caKeyPath);
        var caRenewed = false;
        if (ca is null || ca.NotAfter.ToUniversalTime() <= now.UtcDateTime + NodeValidity / 4)
        {
            ca?.Dispose();
            ca = PrivateCertificateAuthority.CreateCa(fqdn, now, CaValidity);
            WriteKeyAndCertificate(ca, caKeyPath, caPath);
            caRenewed = true;
            logger.LogInformation("Created private CA {Subject} in {Path}", ca.Subject, caPath);
        }

        using (ca)
        {
            var names = Names(fqdn, hostedDomains);
            var existing = CertificateFiles.TryLoad(nodePath, nodeKeyPath);
            var reason = existing is null ? null : ReissueReason(existing, ca, names, now, caRenewed);
            if (existing is not null && reason is null)
            {
                logger.LogDebug("Reusing node certificate {Path} (expires {Expiry:u})", nodePath, existing.NotAfter.ToUniversalTime());
                return Result(existing, ca, NodeCertificateOrigin.Reused, nodePath, caPath);
            }

            existing?.Dispose();
            var node = PrivateCertificateAuthority.IssueNode(ca, fqdn, names, now, NodeValidity);
            WriteKeyAndCertificate(node, nodeKeyPath, nodePath);
            var origin = reason is null ? NodeCertificateOrigin.Created : NodeCertificateOrigin.Reissued;
            logger.LogInformation("{Origin} node certificate for {Fqdn} in {Path}{Reason}", origin, fqdn, nodePath, reason is null ? "" : $" ({reason})");
            events.Raise(ParleyEvents.Tls.NodeCertificateCreated, fqdn, string.Join(", ", names), node.NotAfter.ToUniversalTime().ToString("u"), nodePath);
            return Result(node, ca, origin, nodePath, caPath);
        }
    }

    private static string? ReissueReason(X509Certificate2 node, X509Certificate2 ca, IReadOnlyList<string> names, DateTimeOffset now, bool caRenewed)
    {
        if (caRenewed || !PrivateCertificateAuthority.IsIssuedBy(node, ca, now))
        {
            return "not issued by the current private CA";
        }

        if (node.NotAfter.ToUniversalTime() - now.UtcDateTime < RenewBefore)
        {
            return $"expires {node.NotAfter.ToUniversalTime():u}";
        }

        var present = new HashSet<string>(PrivateCertificateAuthority.DnsNames(node), StringComparer.OrdinalIgnoreCase);
        var missing = names.Where(name => !present.Contains(name)).ToArray();
        if (missing.Length > 0)
        {
            return "names missing: " + string.Join(", ", missing);
        }

        var usages = PrivateCertificateAuthority.EnhancedKeyUsages(node).Select(o => o.Value).ToHashSet();
        return usages.Contains(PrivateCertificateAuthority.ServerAuth.Value) && usages.Contains(PrivateCertificateAuthority.ClientAuth.Value)
            ? null
            : "serverAuth or clientAuth EKU missing";
    }

    private NodeCertificate LoadConfiguredCore(string certificatePath, string keyPath)
    {
        RequireReadable(certificatePath, "certificates.certificate");
        RequireReadable(keyPath, "certificates.privateKey");
        var chain = new X509Certificate2Collection();
        try
        {
            chain.ImportFromPemFile(certificatePath);
        }
        catch (CryptographicException e)
        {
            throw new CertificateException(CertificateError.InvalidFormat, certificatePath,
                $"{certificatePath}: not a PEM certificate file ({e.Message}). Fix: give a file with -----BEGIN CERTIFICATE----- blocks, the node certificate first, then its intermediates.", e);
        }

        if (chain.Count == 0)
        {
            throw new CertificateException(CertificateError.InvalidFormat, certificatePath,
                $"{certificatePath}: holds no PEM certificate. Fix: give a file with -----BEGIN CERTIFICATE----- blocks, the node certificate first.");
        }

        X509Certificate2 withKey;
        try
        {
            withKey = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            var keyText = File.ReadAllText(keyPath);
            var fix = keyText.Contains("ENCRYPTED", StringComparison.Ordinal)
                ? "the key is encrypted; decrypt it (openssl pkey -in key.pem -out key-plain.pem) and keep it readable only by the parley user."
                : keyText.Contains("-----BEGIN", StringComparison.Ordinal)
                    ? "the key does not belong to the first certificate of certificates.certificate; put the node certificate first and check the pair."
                    : "give a PEM private key (-----BEGIN PRIVATE KEY-----, RSA or EC).";
            var error = keyText.Contains("-----BEGIN", StringComparison.Ordinal) && !keyText.Contains("ENCRYPTED", StringComparison.Ordinal)
                ? CertificateError.KeyMismatch
                : CertificateError.InvalidFormat;
            throw new CertificateException(error, keyPath, $"{keyPath}: cannot be used with {certificatePath}: {e.Message} Fix: {fix}", e);
        }

        using (withKey)
        {
            var leaf = withKey;
            var now = time.GetUtcNow().UtcDateTime;
            var window = $"{leaf.NotBefore.ToUniversalTime():u} to {leaf.NotAfter.ToUniversalTime():u}";
            if (now < leaf.NotBefore.ToUniversalTime())
            {
                events.Raise(ParleyEvents.Tls.ConfiguredCertificateOutOfDate, certificatePath, leaf.Subject, window);
                throw new CertificateException(CertificateError.NotYetValid, certificatePath,
                    $"{certificatePath}: certificate {leaf.Subject} is not valid before {leaf.NotBefore.ToUniversalTime():u}. Fix: check this machine's clock, or use a certificate valid now.");
            }

            if (now > leaf.NotAfter.ToUniversalTime())
            {
                events.Raise(ParleyEvents.Tls.ConfiguredCertificateOutOfDate, certificatePath, leaf.Subject, window);
                throw new CertificateException(CertificateError.Expired, certificatePath,
                    $"{certificatePath}: certificate {leaf.Subject} expired on {leaf.NotAfter.ToUniversalTime():u}. Fix: renew it with your CA and replace the file, or remove the certificates section so the node issues its own.");
            }

            var usages = PrivateCertificateAuthority.EnhancedKeyUsages(leaf);
            if (!usages.Any(o => o.Value == PrivateCertificateAuthority.ServerAuth.Value))
            {
                var present = usages.Count == 0 ? "none" : string.Join(", ", usages.Select(o => o.FriendlyName ?? o.Value));
                events.Raise(ParleyEvents.Tls.ConfiguredCertificateMissingEku, certificatePath, leaf.Subject, present);
                throw new CertificateException(CertificateError.MissingServerAuthEku, certificatePath,
                    $"{certificatePath}: certificate {leaf.Subject} lacks the Server Authentication EKU (has: {present}). Fix: issue it from a template with Server Authentication and Client Authentication.");
            }

            var left = leaf.NotAfter.ToUniversalTime() - now;
            if (left < RenewBefore)
            {
                events.Raise(ParleyEvents.Tls.CertificateExpiringSoon, certificatePath, leaf.Subject, leaf.NotAfter.ToUniversalTime().ToString("u"), (int)left.TotalDays);
            }

            var intermediates = new X509Certificate2Collection();
            foreach (var certificate in chain.Skip(1))
            {
                intermediates.Add(certificate);
            }

            chain[0].Dispose();
            return new NodeCertificate(UsableBySslStream(leaf), intermediates, NodeCertificateOrigin.Configured, certificatePath, null);
        }
    }

    private static void RequireReadable(string path, string key)
    {
        try
        {
            using var stream = File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var problem = e is FileNotFoundException or DirectoryNotFoundException ? "does not exist" : $"cannot be read ({e.Message})";
            throw new CertificateException(CertificateError.Unreadable, path,
                $"{path} ({key}) {problem}. Fix: correct {key} in the bootstrap file, or make the file readable by the user running parley.", e);
        }
    }

    private static NodeCertificate Result(X509Certificate2 node, X509Certificate2 ca, NodeCertificateOrigin origin, string nodePath, string caPath)
    {
        using (node)
        {
            return new NodeCertificate(UsableBySslStream(node), [X509CertificateLoader.LoadCertificate(ca.RawData)], origin, nodePath, caPath);
        }
    }

    /// <summary>Keys loaded from PEM are ephemeral; a PKCS#12 round trip gives SslStream a key it can use on every platform.</summary>
    private static X509Certificate2 UsableBySslStream(X509Certificate2 certificate)
        => X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);

    private static void WriteKeyAndCertificate(X509Certificate2 certificate, string keyPath, string certificatePath)
    {
        var key = (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey()
            ?? throw new InvalidOperationException("Internal error: generated certificate without a private key.");
        using (key)
        {
            CertificateFiles.WriteAtomically(keyPath, key.ExportPkcs8PrivateKeyPem(), CertificateFiles.PrivateKeyMode);
        }

        CertificateFiles.WriteAtomically(certificatePath, certificate.ExportCertificatePem() + "\n", CertificateFiles.PublicMode);
    }

    private static IReadOnlyList<string> Names(string fqdn, IEnumerable<string> hostedDomains)
        => new[] { fqdn }.Concat(hostedDomains).Select(n => n.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToArray();

    private static void CreateDirectory(string directory)
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                System.IO.Directory.CreateDirectory(directory);
            }
            else
            {
                System.IO.Directory.CreateDirectory(directory, CertificateFiles.DirectoryMode);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CertificateException(CertificateError.CannotWrite, directory,
                $"Cannot create {directory}: {e.Message} Fix: make the data directory writable by the user running parley, or configure certificates in the bootstrap file.", e);
        }
    }
}
