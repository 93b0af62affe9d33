using System.Text;
using Parley.Server.Management.Documents;
using Parley.Server.Management.Replication;
using Parley.Server.Management.Replication.Snapshots;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Management.Snapshots;

public sealed class SnapshotFormatTests : IDisposable
{
    private static readonly DateTimeOffset Created = new(2026, 11, 21, 9, 30, 0, 125, TimeSpan.Zero);
    private readonly TestDeploymentCa _ca = new();

    public void Dispose() => _ca.Dispose();

    [Fact]
    public void Snapshot_file_has_magic_header_and_payload_of_the_stated_length()
    {
        var snapshot = Writer().Write(7, Created, SampleConfigurations.Small());
        var text = Encoding.UTF8.GetString(snapshot.Bytes.Span);
        var lines = text.Split('\n', 3);

        Assert.Equal("PARLEY-SNAPSHOT 1", lines[0]);
        Assert.StartsWith("{\"payloadLength\":" + Encoding.UTF8.GetByteCount(lines[2]) + ",\"contentHash\":\"sha256:", lines[1]);
        Assert.Contains("\"signatureAlgorithm\":\"ES256\"", lines[1]);
        Assert.StartsWith("{\"format\":1,\"revision\":7,\"created\":\"2026-11-21T09:30:00.125Z\",\"master\":\"cms.example.com\",\"productVersion\":\"", lines[2]);
        Assert.Equal(7, snapshot.Revision);
        Assert.Equal(SampleConfigurations.Master, snapshot.MasterFqdn);
    }

    [Fact]
    public void Payload_is_pinned_for_a_small_configuration()
    {
        var writer = new SnapshotWriter(_ca.IssueNode(SampleConfigurations.Master), SampleConfigurations.Master, "1.2.3");
        var payload = Encoding.UTF8.GetString(writer.SerializePayload(3, Created, ConfigurationNormalizer.Normalize(SampleConfigurations.Small())));

        Assert.Equal(
            string.Concat(
                "{'format':1,'revision':3,'created':'2026-11-21T09:30:00.125Z','master':'cms.example.com','productVersion':'1.2.3','documents':{",
                "'topology':{'sites':[{'name':'hq','description':'Head office'}],'pools':[{'fqdn':'pool1.example.com','site':'hq'}],'nodes':[",
                "{'fqdn':'cms.example.com','ip':'127.0.0.10','pool':'pool1.example.com','roles':'frontend, cms','listeners':{'xmpp':5222,'sip':5060,'sipTls':5062,'sipPeerTls':0,'replicaAgent':4443,'admin':8443}},",
                "{'fqdn':'fe1.example.com','ip':'127.0.0.11','pool':'pool1.example.com','roles':'frontend','listeners':{'xmpp':5222,'sip':5060,'sipTls':5062,'sipPeerTls':0,'replicaAgent':4443,'admin':8443}},",
                "{'fqdn':'fe2.example.com','ip':'127.0.0.12','pool':'pool1.example.com','roles':'frontend','listeners':{'xmpp':5222,'sip':5060,'sipTls':5062,'sipPeerTls':0,'replicaAgent':4443,'admin':8443}}],",
                "'homing':{'defaultPool':'pool1.example.com','domains':{'example.com':'pool1.example.com'},'users':{}}},",
                "'domains':['example.com','example.org'],'presence':{'maxContactListSize':500,'maxWatchers':null,'autoApproveLocalDomain':true,'notifyCoalescingMs':50},",
                "'federation':{'enabled':true,'routingMode':'advanced','routingNode':'fe1.example.com'},",
                "'staticRoutes':[{'pattern':'.net.partner.*','nextHop':'10.1.2.3','port':5061,'transport':'tls','description':'Partner','priority':1,'routeType':'domain','flavour':'lync'}],",
                "'incomingAcl':[{'address':'10.1.2.0/24','description':'Partner edge'}],",
                "'tlsListeners':[{'node':'fe1.example.com','port':5063,'mutualTls':true,'description':null}],",
                "'tlsPeerSubjects':[{'subject':'sip.partner.net','description':null}],",
                "'sipFederationDomains':[]}}").Replace('\'', '"'),
            payload);
    }

    [Fact]
    public void Same_configuration_gives_the_same_payload_and_hash()
    {
        var writer = Writer();
        var first = writer.Write(5, Created, ConfigurationNormalizer.Normalize(SampleConfigurations.Small()));
        var second = writer.Write(5, Created, ConfigurationNormalizer.Normalize(SampleConfigurations.Small()));

        Assert.Equal(first.ContentHash, second.ContentHash);
        Assert.Equal(Payload(first), Payload(second));
    }

    [Fact]
    public void Reordered_and_differently_cased_input_gives_the_same_bytes_after_normalisation()
    {
        var small = SampleConfigurations.Small();
        var shuffled = small with
        {
            Topology = small.Topology with
            {
                Nodes = small.Topology.Nodes.Reverse().Select(n => n with { Fqdn = n.Fqdn.ToUpperInvariant() }).ToArray(),
                Homing = small.Topology.Homing with { Domains = new Dictionary<string, string> { ["EXAMPLE.com"] = "Pool1.example.com" } },
            },
            Domains = ["Example.ORG", "example.com"],
            StaticRoutes = [.. small.StaticRoutes, new StaticRoute("a.example.net", "10.0.0.1", 5061)],
        };
        var ordered = small with { StaticRoutes = [new StaticRoute("a.example.net", "10.0.0.1", 5061), .. small.StaticRoutes] };
        var writer = new SnapshotWriter(_ca.IssueRsaNode(SampleConfigurations.Master), SampleConfigurations.Master, "1.0.0");

        var a = writer.Write(9, Created, ConfigurationNormalizer.Normalize(shuffled));
        var b = writer.Write(9, Created, ConfigurationNormalizer.Normalize(ordered));

        // RSA PKCS#1 v1.5 signatures are deterministic, so the whole file is equal (ECDSA's are randomised).
        Assert.Equal(a.Bytes.ToArray(), b.Bytes.ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Verifier_accepts_a_snapshot_signed_by_the_master_with_either_key_type(bool rsa)
    {
        var certificate = rsa ? _ca.IssueRsaNode(SampleConfigurations.Master) : _ca.IssueNode(SampleConfigurations.Master);
        var configuration = ConfigurationNormalizer.Normalize(SampleConfigurations.Small());
        var snapshot = new SnapshotWriter(certificate, SampleConfigurations.Master, "1.0.0").Write(12, Created, configuration);

        var verified = Verifier().Verify(snapshot.Bytes, SampleConfigurations.Master);

        Assert.Equal(12, verified.Signed.Revision);
        Assert.Equal(Created, verified.Signed.Created);
        Assert.Equal(snapshot.ContentHash, verified.Signed.ContentHash);
        Assert.Equal("1.0.0", verified.ProductVersion);
        Assert.Equal(DocumentJson.Serialize(configuration, DocumentNames.Topology), DocumentJson.Serialize(verified.Configuration, DocumentNames.Topology));
        Assert.Equal(configuration.Domains, verified.Configuration.Domains);
        Assert.Equal(configuration.StaticRoutes, verified.Configuration.StaticRoutes);
        Assert.Equal(configuration.Presence, verified.Configuration.Presence);
    }

    [Fact]
    public void Master_is_matched_by_a_dns_san_too()
    {
        var snapshot = new SnapshotWriter(_ca.IssueNode("node7.example.com", "cms-alias.example.com"), "node7.example.com", "1.0.0")
            .Write(1, Created, new DeploymentConfiguration());

        Assert.Equal(1, Verifier().Verify(snapshot.Bytes, "CMS-ALIAS.example.com").Signed.Revision);
        Assert.Equal(1, Verifier().Verify(snapshot.Bytes, expectedMaster: null).Signed.Revision);
    }

    [Fact]
    public void A_tampered_payload_byte_is_a_hash_mismatch()
    {
        var bytes = Writer().Write(4, Created, SampleConfigurations.Small()).Bytes.ToArray();
        var at = Array.LastIndexOf(bytes, (byte)'5'); // inside the payload (a port number)
        bytes[at] = (byte)'6';

        AssertRejected(SnapshotRejection.HashMismatch, bytes, "hashes to");
    }

    [Fact]
    public void A_changed_signature_is_a_bad_signature()
    {
        var snapshot = Writer().Write(4, Created, SampleConfigurations.Small());
        var text = Encoding.UTF8.GetString(snapshot.Bytes.Span);
        var start = text.IndexOf("\"signature\":\"", StringComparison.Ordinal) + 13;
        var flipped = text[start] == 'A' ? 'B' : 'A';
        var bytes = Encoding.UTF8.GetBytes(text[..start] + flipped + text[(start + 1)..]);

        AssertRejected(SnapshotRejection.BadSignature, bytes, "does not verify");
    }

    [Fact]
    public void A_payload_and_hash_replaced_together_is_a_bad_signature()
    {
        // An attacker who recomputes the hash still cannot sign: the signature covers the hash.
        var writer = Writer();
        var original = writer.Write(4, Created, SampleConfigurations.Small());
        var forged = writer.Write(4, Created, SampleConfigurations.Small() with { Domains = ["evil.example"] });
        var header = Encoding.UTF8.GetString(forged.Bytes.Span).Split('\n')[1];
        var originalHeader = Encoding.UTF8.GetString(original.Bytes.Span).Split('\n')[1];
        var signature = System.Text.Json.JsonDocument.Parse(originalHeader).RootElement.GetProperty("signature").GetString()!;
        var forgedSignature = System.Text.Json.JsonDocument.Parse(header).RootElement.GetProperty("signature").GetString()!;
        var bytes = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(forged.Bytes.Span).Replace(forgedSignature, signature, StringComparison.Ordinal));

        AssertRejected(SnapshotRejection.BadSignature, bytes, "does not verify");
    }

    [Fact]
    public void A_truncated_snapshot_is_rejected_at_every_length()
    {
        var bytes = Writer().Write(4, Created, SampleConfigurations.Small()).Bytes.ToArray();
        var verifier = Verifier();
        foreach (var length in new[] { 0, 5, 17, 18, 40, bytes.Length / 2, bytes.Length - 1 })
        {
            var error = Assert.Throws<SnapshotRejectedException>(() => verifier.Verify(bytes.AsMemory(0, length), SampleConfigurations.Master));
            Assert.True(error.Reason is SnapshotRejection.Truncated or SnapshotRejection.Malformed, $"length {length}: {error.Reason}");
        }

        Assert.Equal(SnapshotRejection.Truncated,
            Assert.Throws<SnapshotRejectedException>(() => verifier.Verify(bytes.AsMemory(0, bytes.Length - 1), SampleConfigurations.Master)).Reason);
    }

    [Fact]
    public void Extra_bytes_after_the_payload_are_rejected()
    {
        var bytes = Writer().Write(4, Created, SampleConfigurations.Small()).Bytes.ToArray();

        AssertRejected(SnapshotRejection.Truncated, [.. bytes, (byte)' '], "the header says");
    }

    [Fact]
    public void A_signer_that_is_not_the_master_is_rejected()
    {
        var snapshot = new SnapshotWriter(_ca.IssueNode("fe1.example.com"), "fe1.example.com", "1.0.0").Write(4, Created, SampleConfigurations.Small());

        var error = AssertRejected(SnapshotRejection.NotTheMaster, snapshot.Bytes.ToArray(), "fe1.example.com");
        Assert.Contains(SampleConfigurations.Master, error.Detail);
    }

    [Fact]
    public void A_signer_from_another_ca_is_untrusted_even_with_the_master_name()
    {
        using var other = new TestDeploymentCa("other-deployment");
        var snapshot = new SnapshotWriter(other.IssueNode(SampleConfigurations.Master), SampleConfigurations.Master, "1.0.0").Write(4, Created, SampleConfigurations.Small());

        AssertRejected(SnapshotRejection.UntrustedSigner, snapshot.Bytes.ToArray(), "does not chain");
    }

    [Fact]
    public void A_self_signed_signer_is_untrusted()
    {
        using var self = TestDeploymentCa.SelfSigned(SampleConfigurations.Master);
        var snapshot = new SnapshotWriter(self, SampleConfigurations.Master, "1.0.0").Write(4, Created, SampleConfigurations.Small());

        AssertRejected(SnapshotRejection.UntrustedSigner, snapshot.Bytes.ToArray(), "does not chain");
    }

    [Fact]
    public void Something_that_is_not_a_snapshot_is_malformed()
    {
        AssertRejected(SnapshotRejection.Malformed, Encoding.UTF8.GetBytes("PARLEY-SNAPSHOT 2\n{}\n{}"), "PARLEY-SNAPSHOT 1");
        AssertRejected(SnapshotRejection.Malformed, Encoding.UTF8.GetBytes("PARLEY-SNAPSHOT 1\nnot json\n{}"), "header");
    }

    [Fact]
    public void Writer_refuses_a_certificate_without_its_private_key()
    {
        Assert.Throws<ArgumentException>(() => new SnapshotWriter(_ca.PublicCertificate, SampleConfigurations.Master, "1.0.0"));
    }

    private SnapshotWriter Writer() => new(_ca.IssueNode(SampleConfigurations.Master), SampleConfigurations.Master, "1.0.0");

    private SnapshotVerifier Verifier() => new(_ca.PublicCertificate, TimeProvider.System);

    private SnapshotRejectedException AssertRejected(SnapshotRejection reason, byte[] bytes, string detail)
    {
        var error = Assert.Throws<SnapshotRejectedException>(() => Verifier().Verify(bytes, SampleConfigurations.Master));
        Assert.Equal(reason, error.Reason);
        Assert.Contains(detail, error.Detail, StringComparison.Ordinal);
        return error;
    }

    private static string Payload(SignedSnapshot snapshot) => Encoding.UTF8.GetString(snapshot.Bytes.Span).Split('\n', 3)[2];
}
