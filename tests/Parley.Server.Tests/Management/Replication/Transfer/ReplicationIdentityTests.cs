using Parley.Server.Configuration;
using Parley.Server.Management.Replication.Transfer;
using Parley.Server.Security;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Management.Replication.Transfer;

/// <summary>Which CA a node trusts for replication and which certificate signs its snapshots.</summary>
public sealed class ReplicationIdentityTests
{
    [Fact]
    public void Cms_ca_certificate_wins_and_the_node_certificate_signs()
    {
        using var temp = new TempDirectory();
        using var ca = new TestDeploymentCa();
        var node = Node(ca.IssueNode("fe1.example.com"), caPath: null);
        var options = Options(temp) with { CmsCaCertificatePath = ca.WriteCa(temp.Path), CertificatePath = "configured.pem" };

        var identity = ReplicationIdentity.Resolve(options, node, () => throw new InvalidOperationException("not needed"));

        Assert.Equal(ca.Certificate.Thumbprint, Assert.Single(identity.Authorities).Thumbprint);
        Assert.Same(node.Certificate, identity.Signer);
    }

    [Fact]
    public void A_generated_certificate_is_checked_against_the_private_ca()
    {
        using var temp = new TempDirectory();
        using var ca = new TestDeploymentCa();
        var node = Node(ca.IssueNode("parley.example.com"), ca.WriteCa(temp.Path));

        var identity = ReplicationIdentity.Resolve(Options(temp), node, () => throw new InvalidOperationException("not needed"));

        Assert.Equal(ca.Certificate.Thumbprint, Assert.Single(identity.Authorities).Thumbprint);
        Assert.Same(node.Certificate, identity.Signer);
    }

    [Fact]
    public void A_configured_certificate_without_its_root_signs_with_a_private_identity_so_a_single_node_keeps_serving()
    {
        using var temp = new TempDirectory();
        using var external = new TestDeploymentCa("external");
        using var own = new TestDeploymentCa("own");
        var node = Node(external.IssueNode("parley.example.com"), caPath: null);
        var generated = Node(own.IssueNode("parley.example.com"), own.WriteCa(temp.Combine("own")));

        var identity = ReplicationIdentity.Resolve(Options(temp) with { CertificatePath = "configured.pem" }, node, () => generated);

        Assert.Equal(own.Certificate.Thumbprint, Assert.Single(identity.Authorities).Thumbprint);
        Assert.Same(generated.Certificate, identity.Signer);
        Assert.Contains("cms.caCertificate", identity.Source);
    }

    private static NodeOptions Options(TempDirectory temp) => new() { Fqdn = "parley.example.com", DataDirectory = temp.Path };

    private static NodeCertificate Node(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, string? caPath)
        => new(certificate, [], caPath is null ? NodeCertificateOrigin.Configured : NodeCertificateOrigin.Created, "node.pem", caPath);
}
