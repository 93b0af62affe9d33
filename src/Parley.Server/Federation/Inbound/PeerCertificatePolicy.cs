using System.Formats.Asn1;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Parley.Server.Diagnostics;
using Parley.Server.Management;
using Parley.Server.Security;
using Parley.Server.Sip.Core;

namespace Parley.Server.Federation.Inbound;

/// <summary>
/// TLS peer authentication (seed 003 TLS requirements): a federation peer's certificate, presented as client on the
/// peer-auth listener or as server when Parley connects out to it, must (a) chain to a trusted peer CA
/// (<see cref="PeerTrustAnchors"/>: custom root trust, no system store, no revocation), (b) be in date, (c) carry both
/// serverAuth and clientAuth, and (d) have its subject CN (never a SAN) in <c>tlsPeerSubjects</c>, compared without
/// case, or be a node of the topology (the deployment's own nodes, whose certificates the deployment CA issues). The first check that fails raises its own event naming what was expected and what was presented, and fails
/// the handshake.
/// </summary>
public sealed class PeerCertificatePolicy(
    PeerTrustAnchors anchors, IDeploymentSettings settings, SourceEventThrottle throttle, TimeProvider time, ILogger<PeerCertificatePolicy> logger)
{
    private const string CommonNameOid = "2.5.4.3";

    /// <summary>The validation callback for a connection with <paramref name="remote"/>, described as <paramref name="peer"/> (<see cref="Client"/>, <see cref="Server"/>).</summary>
    public RemoteCertificateValidationCallback CallbackFor(IPEndPoint remote, string peer)
        => (_, certificate, chain, _) => IsAcceptable(certificate, chain, remote.Address, peer);

    /// <summary>
    /// Checks <paramref name="certificate"/> (with the intermediates <paramref name="presented"/> carries); raises the
    /// failure's event, throttled per <paramref name="source"/> (a scanner must not flood the event store).
    /// </summary>
    public bool IsAcceptable(X509Certificate? certificate, X509Chain? presented, IPAddress source, string peer)
    {
        if (certificate is null)
        {
            return Reject(source, ParleyEvents.Federation.PeerCertificateMissing, "no certificate", peer);
        }

        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        var trusted = anchors.Current;
        if (!ChainsToTrustedCa(leaf, presented, trusted))
        {
            return Reject(source, ParleyEvents.Federation.PeerCertificateUntrusted, "untrusted issuer", peer, leaf.Subject, leaf.Issuer, anchors.Describe(trusted));
        }

        var now = time.GetUtcNow();
        if (now < leaf.NotBefore.ToUniversalTime() || now > leaf.NotAfter.ToUniversalTime())
        {
            return Reject(source, ParleyEvents.Federation.PeerCertificateOutOfDate, "out of date", peer, leaf.Subject, Utc(leaf.NotBefore), Utc(leaf.NotAfter), now.ToString("u", CultureInfo.InvariantCulture));
        }

        var usages = PrivateCertificateAuthority.EnhancedKeyUsages(leaf);
        if (!usages.Any(u => u.Value == PrivateCertificateAuthority.ServerAuth.Value) || !usages.Any(u => u.Value == PrivateCertificateAuthority.ClientAuth.Value))
        {
            var present = usages.Count == 0 ? "none" : string.Join(", ", usages.Select(u => u.FriendlyName is { Length: > 0 } name ? $"{name} ({u.Value})" : u.Value));
            return Reject(source, ParleyEvents.Federation.PeerCertificateUsage, "missing serverAuth or clientAuth", peer, leaf.Subject, present);
        }

        var configuration = settings.Current.Configuration;
        var subjects = configuration.TlsPeerSubjects;
        var commonName = CommonName(leaf);
        // The deployment's own nodes (the routing node forwarding to a home node, R4.10) are peers by the topology.
        if (commonName is null || !(subjects.Any(s => string.Equals(s.Subject, commonName, StringComparison.OrdinalIgnoreCase))
                                     || configuration.Topology.Nodes.Any(n => string.Equals(n.Fqdn, commonName, StringComparison.OrdinalIgnoreCase))))
        {
            var allowed = subjects.Count == 0 ? "none; tlsPeerSubjects is empty" : string.Join(", ", subjects.Select(s => s.Subject));
            return Reject(source, ParleyEvents.Federation.PeerSubjectNotAllowed, "subject not allowed", peer, commonName ?? "(no CN)", allowed);
        }

        InboundLog.PeerCertificateAccepted(logger, peer, commonName);
        return true;
    }

    /// <summary>"client 192.0.2.7:40112 on the peer-auth listener", for events.</summary>
    public static string Client(IPEndPoint remote) => $"client {remote} on the peer-auth listener";

    /// <summary>"server 192.0.2.7:5061 (sip.partner.com)", for events about an outbound connection.</summary>
    public static string Server(IPEndPoint remote, string? host) => host is null ? $"server {remote}" : $"server {remote} ({host})";

    private static bool ChainsToTrustedCa(X509Certificate2 leaf, X509Chain? presented, X509Certificate2Collection trusted)
    {
        if (trusted.Count == 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // Dates are the next check, with their own event.
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid | X509VerificationFlags.IgnoreCtlNotTimeValid;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                if (!element.Certificate.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span))
                {
                    chain.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }
        }

        return chain.Build(leaf);
    }

    private static string? CommonName(X509Certificate2 certificate)
    {
        try
        {
            foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
            {
                if (rdn.GetSingleElementType().Value == CommonNameOid)
                {
                    return rdn.GetSingleElementValue();
                }
            }
        }
        catch (AsnContentException)
        {
            // A malformed subject has no usable CN.
        }

        return null;
    }

    private static string Utc(DateTime time) => time.ToUniversalTime().ToString("u", CultureInfo.InvariantCulture);

    private bool Reject(IPAddress source, EventDefinition definition, string reason, string peer, params object?[] details)
    {
        InboundLog.PeerCertificateRejected(logger, peer, reason);
        throttle.Raise(source, definition, [peer, .. details]);
        return false;
    }
}
