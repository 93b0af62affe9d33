using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Parley.Server.Diagnostics;
using Parley.Server.Security;
using Parley.Server.Sip;
using Parley.Server.Storage;

namespace Parley.Server.Federation.Inbound;

/// <summary>
/// The CA certificates trusted on peer TLS (the seed's cup-trust): the PEM file named by bootstrap
/// <c>certificates.trustedPeerCa</c> (<see cref="SipServerOptions.TrustedPeerCaPath"/>), by default the deployment CA,
/// else the node's private CA (<c>&lt;data&gt;/certs/ca.pem</c>); plus the deployment CA itself, which issues the
/// certificates of the deployment's own nodes (a routing node forwarding to a home node). Never the system store.
/// Re-read when a file changes, so adding a peer CA needs no restart; an unusable peer CA file raises
/// <see cref="ParleyEvents.Federation.PeerCaUnreadable"/> once per change and trusts nothing from it.
/// </summary>
public sealed class PeerTrustAnchors(SipServerOptions sip, ParleyStoreOptions store, IEventLog events)
{
    private readonly Lock _gate = new();
    private readonly string _privateCa = System.IO.Path.Combine(store.DataDirectory, NodeCertificateProvisioner.DirectoryName, NodeCertificateProvisioner.CaCertificateFile);
    private Loaded? _peer;
    private Loaded? _deployment;

    public string Path => sip.TrustedPeerCaPath ?? _privateCa;

    private string DeploymentPath => sip.DeploymentCaPath ?? _privateCa;

    /// <summary>The trusted CA certificates now: the peer CAs and the deployment CA (empty when neither file is usable).</summary>
    public X509Certificate2Collection Current
    {
        get
        {
            lock (_gate)
            {
                var peer = Refresh(ref _peer, Path, report: true);
                if (DeploymentPath == Path)
                {
                    return peer;
                }

                // A handshake's worth of work: a few certificates, merged without duplicates.
                var combined = new X509Certificate2Collection(peer);
                combined.AddRange(Refresh(ref _deployment, DeploymentPath, report: false).Where(d => !peer.Any(p => p.Thumbprint == d.Thumbprint)).ToArray());
                return combined;
            }
        }
    }

    /// <summary>The trusted CAs' subjects, for events ("expected one of").</summary>
    public string Describe(X509Certificate2Collection anchors)
        => anchors.Count == 0 ? $"none: {Path} holds no usable certificate" : string.Join("; ", anchors.Select(a => a.Subject)) + $" (from {Path}{(DeploymentPath == Path ? string.Empty : " and " + DeploymentPath)})";

    private X509Certificate2Collection Refresh(ref Loaded? cached, string path, bool report)
    {
        var stamp = File.Exists(path) ? File.GetLastWriteTimeUtc(path) : DateTime.MinValue;
        if (cached is not { } loaded || loaded.Stamp != stamp)
        {
            cached = loaded = new Loaded(stamp, Load(path, stamp, report));
        }

        return loaded.Certificates;
    }

    private X509Certificate2Collection Load(string path, DateTime stamp, bool report)
    {
        var certificates = new X509Certificate2Collection();
        if (stamp == DateTime.MinValue)
        {
            Report(report, path, "the file does not exist");
            return certificates;
        }

        try
        {
            certificates.ImportFromPemFile(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            Report(report, path, ex.Message);
            return [];
        }

        if (certificates.Count == 0)
        {
            Report(report, path, "it holds no PEM certificate");
        }

        return certificates;
    }

    private void Report(bool report, string path, string reason)
    {
        if (report)
        {
            events.Raise(ParleyEvents.Federation.PeerCaUnreadable, path, reason);
        }
    }

    private sealed record Loaded(DateTime Stamp, X509Certificate2Collection Certificates);
}
