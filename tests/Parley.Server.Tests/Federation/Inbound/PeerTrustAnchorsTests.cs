using Parley.Server.Diagnostics;
using Parley.Server.Federation.Inbound;
using Parley.Server.Sip;
using Parley.Server.Storage;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Federation.Inbound;

public sealed class PeerTrustAnchorsTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly RecordingEventLog _events = new();
    private readonly PeerCertificates _peerCa = new("peer CA");
    private readonly PeerCertificates _deploymentCa = new("deployment CA");

    [Fact]
    public void The_peer_ca_file_and_the_deployment_ca_are_both_trusted()
    {
        var anchors = Anchors(_peerCa.WriteCa(_temp.Combine("peer.pem")), _deploymentCa.WriteCa(_temp.Combine("deployment.pem")));

        Assert.Equal(new[] { _peerCa.Ca.Thumbprint, _deploymentCa.Ca.Thumbprint }.Order(), anchors.Current.Select(c => c.Thumbprint).Order());
        Assert.Empty(_events.Raised);
    }

    [Fact]
    public void An_unusable_peer_ca_file_is_reported_and_the_deployments_own_nodes_stay_trusted()
    {
        var missing = _temp.Combine("missing.pem");

        var anchors = Anchors(missing, _deploymentCa.WriteCa(_temp.Combine("deployment.pem")));

        Assert.Equal(_deploymentCa.Ca.Thumbprint, Assert.Single(anchors.Current).Thumbprint);
        Assert.Contains(_events.Raised, e => e.Definition == ParleyEvents.Federation.PeerCaUnreadable);
    }

    [Fact]
    public void A_peer_ca_added_to_the_file_is_trusted_without_a_restart()
    {
        var path = _temp.Combine("peer.pem");
        var anchors = Anchors(_deploymentCa.WriteCa(path), null);
        Assert.Single(anchors.Current);

        File.WriteAllText(path, File.ReadAllText(path) + _peerCa.Ca.ExportCertificatePem() + "\n");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(5));

        Assert.Equal(2, anchors.Current.Count);
    }

    public void Dispose()
    {
        _peerCa.Dispose();
        _deploymentCa.Dispose();
        _temp.Dispose();
    }

    private PeerTrustAnchors Anchors(string peerCaPath, string? deploymentCaPath)
        => new(new SipServerOptions { TrustedPeerCaPath = peerCaPath, DeploymentCaPath = deploymentCaPath ?? peerCaPath },
            new ParleyStoreOptions { DataDirectory = _temp.Path }, _events);
}
