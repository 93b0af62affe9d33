using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Text;
using Parley.Server.Diagnostics;
using Parley.Server.Management.Replication;
using Parley.Server.Management.Replication.Transfer;

namespace Parley.Server.Tests.Management.Replication.Transfer;

/// <summary>The master's file transfer agent against real replica agent listeners over HTTPS with mutual TLS on 127.0.0.x.</summary>
public sealed class FileTransferAgentTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_new_revision_reaches_every_replica_and_the_master_itself()
    {
        await using var rig = new TransferRig();
        var fe1 = rig.AddReplica("fe1.test.example", "127.0.0.2");
        var fe2 = rig.AddReplica("fe2.test.example", "127.0.0.3");
        await fe1.StartAsync();
        await fe2.StartAsync();
        await rig.StartMasterAsync(rig.Configuration("example.com"));
        await rig.WaitUpToDateAsync(Within, TransferRig.MasterFqdn, fe1.Fqdn, fe2.Fqdn);

        rig.Source!.Commit(rig.Configuration("example.com", "new.example"));

        await rig.WaitUpToDateAsync(Within, TransferRig.MasterFqdn, fe1.Fqdn, fe2.Fqdn);
        Assert.Contains("new.example", fe1.Applier.Held!.Configuration.Domains);
        Assert.Contains("new.example", fe2.Applier.Held!.Configuration.Domains);
        Assert.NotNull(fe1.Applier.LastMasterContact);
        var latest = (await rig.Source.LatestAsync(CancellationToken.None)).Revision;

        // The agent's in-memory view leads the table by one write.
        var rows = await TransferRig.EventuallyAsync(
            () => rig.Status!.ListAsync(latest, CancellationToken.None).Result is { Count: 3 } all && all.All(r => r.UpToDate) ? all : null, Within, "replication_status UpToDate");
        Assert.All(rows, row => Assert.False(string.IsNullOrEmpty(row.ProductVersion)));
        Assert.All(rows, row => Assert.NotNull(row.LastStatusReport));
    }

    [Fact]
    public async Task An_unreachable_replica_raises_1017_once_retries_and_recovers_with_an_event()
    {
        await using var rig = new TransferRig();
        var fe1 = rig.AddReplica("fe1.test.example", "127.0.0.2");
        await rig.StartMasterAsync(rig.Configuration());

        var unreachable = await TransferRig.EventuallyAsync(() => Find(rig.MasterEvents, 1017), Within, "event 1017");
        Assert.Equal(fe1.Fqdn, unreachable[0]);
        Assert.Equal($"127.0.0.2:{fe1.Port}", unreachable[1]);
        Assert.Contains("refused", (string)unreachable[2]!);

        // Retries continue (backoff capped at 400 ms here) without a second 1017 for the same episode.
        await TransferRig.EventuallyAsync(() => rig.Agent!.Replicas.SingleOrDefault(r => r.Fqdn == fe1.Fqdn && r.Failures >= 4), Within, "four failed attempts");
        Assert.Single(rig.MasterEvents.Raised, e => e.Definition.Id == 1017);

        await fe1.StartAsync();
        await rig.WaitUpToDateAsync(Within, fe1.Fqdn);
        var recovered = await TransferRig.EventuallyAsync(() => Find(rig.MasterEvents, 1020), Within, "recovery event 1020");
        Assert.Equal(fe1.Fqdn, recovered[0]);
        Assert.True((int)recovered[1]! >= 4);
    }

    [Fact]
    public async Task A_replica_with_a_certificate_for_another_host_raises_1015_naming_both()
    {
        await using var rig = new TransferRig();
        var fe1 = rig.AddReplica("fe1.test.example", "127.0.0.2", presented: null);
        var wrong = rig.AddReplica("fe2.test.example", "127.0.0.3", presented: rig.Ca.IssueNode("other.test.example"));
        await fe1.StartAsync();
        await wrong.StartAsync();
        await rig.StartMasterAsync(rig.Configuration());

        var mismatch = await TransferRig.EventuallyAsync(() => Find(rig.MasterEvents, 1015), Within, "event 1015");
        var message = string.Format(System.Globalization.CultureInfo.InvariantCulture, ParleyEvents.Management.ReplicaCertificateMismatch.MessageTemplate, mismatch);
        Assert.Contains("host=fe2.test.example", message);
        Assert.Contains("CN=other.test.example", message);
        Assert.Contains("other.test.example", (string)mismatch[2]!);
        Assert.Null(wrong.Applier.Held);
        await rig.WaitUpToDateAsync(Within, fe1.Fqdn);
    }

    [Fact]
    public async Task A_replica_whose_certificate_another_ca_issued_raises_1021_not_1015()
    {
        await using var rig = new TransferRig();
        var stranger = rig.AddReplica("fe1.test.example", "127.0.0.2", presented: Support.TestDeploymentCa.SelfSigned("fe1.test.example"));
        await stranger.StartAsync();
        await rig.StartMasterAsync(rig.Configuration());

        var untrusted = await TransferRig.EventuallyAsync(() => Find(rig.MasterEvents, 1021), Within, "event 1021");
        Assert.Equal(stranger.Fqdn, untrusted[0]);
        Assert.Contains("does not chain to the deployment CA", (string)untrusted[4]!);
        Assert.Null(Find(rig.MasterEvents, 1015));
        Assert.Null(stranger.Applier.Held);
    }

    [Fact]
    public async Task A_replica_expecting_another_master_refuses_with_403_and_both_sides_raise_an_event()
    {
        await using var rig = new TransferRig();
        var fe1 = rig.AddReplica("fe1.test.example", "127.0.0.2", expectedMaster: "cms2.test.example");
        await fe1.StartAsync();
        await rig.StartMasterAsync(rig.Configuration());

        var refused = await TransferRig.EventuallyAsync(() => Find(rig.MasterEvents, 1023), Within, "event 1023 on the master");
        Assert.Equal(fe1.Fqdn, refused[0]);
        var onReplica = await TransferRig.EventuallyAsync(() => Find(fe1.Events, 1024), Within, "event 1024 on the replica");
        Assert.Equal("cms2.test.example", onReplica[2]);
        Assert.Null(fe1.Applier.Held);
    }

    [Fact]
    public async Task A_replica_that_cannot_write_its_store_answers_507_and_the_master_raises_1034_naming_the_path()
    {
        await using var rig = new TransferRig();
        var fe1 = rig.AddReplica("fe1.test.example", "127.0.0.2");
        await fe1.StartAsync();

        // Root ignores file modes, so deny for real: a regular file where the store needs its revisions directory.
        var revisions = Path.Combine(fe1.DataDirectory, "xds-replica", "revisions");
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(revisions)!);
        if (System.IO.Directory.Exists(revisions))
        {
            System.IO.Directory.Delete(revisions, recursive: true);
        }

        await File.WriteAllTextAsync(revisions, "not a directory");
        await rig.StartMasterAsync(rig.Configuration());

        var denied = await TransferRig.EventuallyAsync(() => Find(rig.MasterEvents, 1034), Within, "event 1034 on the master");
        Assert.Contains("xds-replica", (string)denied[0]!);
        Assert.Contains(fe1.Fqdn, (string)denied[3]!);
        Assert.Null(fe1.Applier.Held);

        File.Delete(revisions);
        await rig.WaitUpToDateAsync(Within, fe1.Fqdn);
        await TransferRig.EventuallyAsync(() => Find(rig.MasterEvents, 1020), Within, "recovery event 1020");
    }

    [Fact]
    public async Task A_tampered_snapshot_pushed_by_hand_is_refused_with_422_and_not_applied()
    {
        await using var rig = new TransferRig();
        var fe1 = rig.AddReplica("fe1.test.example", "127.0.0.2");
        await fe1.StartAsync();
        await rig.StartMasterAsync(rig.Configuration());
        await rig.WaitUpToDateAsync(Within, fe1.Fqdn);
        var held = fe1.Applier.Status.AppliedRevision;

        await rig.Agent!.DisposeAsync();
        var next = rig.Source!.Commit(rig.Configuration("example.com", "evil.example")).Bytes.ToArray();
        var text = Encoding.UTF8.GetString(next).Replace("evil.example", "evil.exampla", StringComparison.Ordinal);
        using var client = MasterClient(rig);
        using var response = await client.PutAsync($"https://{fe1.Address}:{fe1.Port}{ReplicaAgentProtocol.SnapshotPath}", new ByteArrayContent(Encoding.UTF8.GetBytes(text)));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<SnapshotRejectionBody>(ReplicaAgentProtocol.Json);
        Assert.Equal(SnapshotRejection.HashMismatch, body!.Reason);
        Assert.Equal(held, fe1.Applier.Status.AppliedRevision);
        Assert.DoesNotContain("evil.exampla", fe1.Applier.Held!.Configuration.Domains);
        Assert.NotNull(Find(fe1.Events, 1040));
    }

    [Fact]
    public async Task A_client_without_a_certificate_is_refused_and_the_status_endpoint_needs_the_master()
    {
        await using var rig = new TransferRig();
        var fe1 = rig.AddReplica("fe1.test.example", "127.0.0.2");
        await fe1.StartAsync();
        using var handler = new SocketsHttpHandler { SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true } };
        using var anonymous = new HttpClient(handler);

        using var response = await anonymous.GetAsync($"https://{fe1.Address}:{fe1.Port}{ReplicaAgentProtocol.StatusPath}");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var refused = Find(fe1.Events, 1024);
        Assert.NotNull(refused);
        Assert.Equal("no certificate", refused[1]);
    }

    [Fact]
    public async Task Nodes_removed_from_the_topology_are_marked_deleted()
    {
        await using var rig = new TransferRig();
        var fe1 = rig.AddReplica("fe1.test.example", "127.0.0.2");
        await fe1.StartAsync();
        await rig.StartMasterAsync(rig.Configuration());
        await rig.WaitUpToDateAsync(Within, fe1.Fqdn);

        var withoutFe1 = rig.Configuration() with { Topology = rig.Configuration().Topology with { Nodes = [rig.Configuration().Topology.Nodes[0]] } };
        rig.Source!.Commit(withoutFe1);

        await TransferRig.EventuallyAsync(() => Find(rig.MasterEvents, 1027), Within, "event 1027");
        var rows = await TransferRig.EventuallyAsync(
            () => rig.Status!.ListAsync(0, CancellationToken.None).Result is var all && all.Single(r => r.Fqdn == fe1.Fqdn).Deleted ? all : null, Within, "fe1 marked deleted");
        Assert.False(rows.Single(r => r.Fqdn == TransferRig.MasterFqdn).Deleted);
        Assert.DoesNotContain(rig.Agent!.Replicas, r => r.Fqdn == fe1.Fqdn);
    }

    [Fact]
    public async Task Invoke_requests_make_the_master_resend_in_full()
    {
        await using var rig = new TransferRig();
        var fe1 = rig.AddReplica("fe1.test.example", "127.0.0.2");
        await fe1.StartAsync();
        await rig.StartMasterAsync(rig.Configuration());
        await rig.WaitUpToDateAsync(Within, fe1.Fqdn);

        await rig.Status!.RequestReplicationAsync(fe1.Fqdn, "cli:test", DateTimeOffset.UtcNow, CancellationToken.None);

        var invoked = await TransferRig.EventuallyAsync(() => Find(rig.MasterEvents, 1028), Within, "event 1028");
        Assert.Equal(fe1.Fqdn, invoked[0]);
        Assert.Equal("cli:test", invoked[1]);
        Assert.Empty(await rig.Status.TakePendingRequestsAsync(CancellationToken.None));
    }

    private static HttpClient MasterClient(TransferRig rig)
    {
        var certificate = rig.Ca.IssueNode(TransferRig.MasterFqdn);
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificateContext = SslStreamCertificateContext.Create(certificate, null, offline: true),
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            },
        };
        return new HttpClient(handler);
    }

    private static object?[]? Find(Support.RecordingEventLog events, int id)
        => events.Raised.FirstOrDefault(e => e.Definition.Id == id).Args;
}
