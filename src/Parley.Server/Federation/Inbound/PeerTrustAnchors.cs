using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Parley.Server.Diagnostics;
using Parley.Server.Security;
using Parley.Server.Sip;
using Parley.Server.Storage;

namespace Parley.Server.Federation.Inbound;

/// <summary>
/// The CA certificates trusted for federation peers (the seed's cup-trust): the PEM file named by bootstrap
/// <c>certificates.trustedPeerCa</c> (<see cref="SipServerOptions.TrustedPeerCaPath"/>), by default the deployment CA,
/// else the node's private CA (<c>&lt;data&gt;/certs/ca.pem</c>). Never the system store. Re-read when the file changes,
/// so adding a peer CA needs no restart; an unusable file raises <see cref="ParleyEvents.Federation.PeerCaUnreadable"/>
/// once per change and trusts nothing.
/// </summary>
public sealed class PeerTrustAnchors(SipServerOptions sip, ParleyStoreOptions store, IEventLog events)
{
    private readonly Lock _gate = new();
    private Loaded? _loaded;

    public string Path { get; } = sip.TrustedPeerCaPath
        ?? System.IO.Path.Combine(store.DataDirectory, NodeCertificateProvisioner.DirectoryName, NodeCertificateProvisioner.CaCertificateFile);

    /// <summary>The trusted CA certificates now (empty when the file is missing or unreadable).</summary>
    public X509Certificate2Collection Current
    {
        get
        {
            var stamp = File.Exists(Path) ? File.GetLastWriteTimeUtc(Path) : DateTime.MinValue;
            lock (_gate)
            {
                if (_loaded is { } loaded && loaded.Stamp == stamp)
                {
                    return loaded.Certificates;
                }

                _loaded = new Loaded(stamp, Load(stamp));
                return _loaded.Certificates;
            }
        }
    }

    /// <summary>The trusted CAs' subjects, for events ("expected one of").</summary>
    public string Describe(X509Certificate2Collection anchors)
        => anchors.Count == 0 ? $"none: {Path} holds no usable certificate" : string.Join("; ", anchors.Select(a => a.Subject)) + $" (from {Path})";

    private X509Certificate2Collection Load(DateTime stamp)
    {
        var certificates = new X509Certificate2Collection();
        if (stamp == DateTime.MinValue)
        {
            events.Raise(ParleyEvents.Federation.PeerCaUnreadable, Path, "the file does not exist");
            return certificates;
        }

        try
        {
            certificates.ImportFromPemFile(Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            events.Raise(ParleyEvents.Federation.PeerCaUnreadable, Path, ex.Message);
            return [];
        }

        if (certificates.Count == 0)
        {
            events.Raise(ParleyEvents.Federation.PeerCaUnreadable, Path, "it holds no PEM certificate");
        }

        return certificates;
    }

    private sealed record Loaded(DateTime Stamp, X509Certificate2Collection Certificates);
}
