using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Parley.Interop.Tests.Hostile;

namespace Parley.Interop.Tests.Replication;

/// <summary>
/// Issue 4 acceptance: a CMS master and replicas as separate `parley serve` processes on 127.0.0.x, each with its own
/// certificate from one deployment CA, replicating over HTTPS with mutual TLS; the seed's faults (1017, 1015, 1034)
/// and their recovery, a tampered snapshot, the master going down, and a refused change.
/// </summary>
[Collection(nameof(CmsReplicationTests))]
public sealed class CmsReplicationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan FaultWithin = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_change_on_the_master_is_UpToDate_on_every_node_within_5_s_and_a_new_domain_accepts_logins_without_restart()
    {
        await using var deployment = new ReplicatedDeployment(replicas: 3);
        await deployment.StartAsync();

        (await deployment.Master.CliAsync("domain", "add", "new.parley.test")).ShouldSucceed();
        var took = await deployment.WaitUpToDateAsync(TimeSpan.FromSeconds(5));
        output.WriteLine($"domain add -> UpToDate on all 4 nodes (as seen by polling `replication status`): {took.TotalMilliseconds:0} ms");

        foreach (var replica in deployment.Replicas)
        {
            Assert.True(replica.IsRunning, $"{replica.Fqdn} is not running");
            var jid = $"alice@new.parley.test";
            (await replica.CliAsync("user", "add", jid, "--password", "secret-" + replica.Fqdn)).ShouldSucceed();
            await using var client = await RawXmppClient.LoginAsync(replica.Address, replica.XmppPort, deployment.Certificates.CaPath, jid, "secret-" + replica.Fqdn);
            Assert.NotNull(client.FullJid);
        }

        var status = await deployment.StatusAsync();
        foreach (var row in status.GetProperty("replicas").EnumerateArray())
        {
            Assert.True(row.GetProperty("upToDate").GetBoolean(), row.ToString());
            Assert.False(string.IsNullOrEmpty(row.GetProperty("productVersion").GetString()), row.ToString());
            Assert.NotEqual(System.Text.Json.JsonValueKind.Null, row.GetProperty("lastStatusReport").ValueKind);
            Assert.NotEqual(System.Text.Json.JsonValueKind.Null, row.GetProperty("lastUpdateCreation").ValueKind);
        }

        // Invoke-CsManagementStoreReplication's counterpart: the running master picks the request up and resends.
        var target = deployment.Replicas[0].Fqdn;
        (await deployment.Master.CliAsync("replication", "invoke", "--replica", target)).ShouldSucceed();
        await deployment.WaitForEventAsync(deployment.Master, 1028, m => m.Contains(target, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        var table = (await deployment.Master.CliAsync("replication", "status", "--replica", target)).ShouldSucceed().StandardOutput;
        Assert.Contains("UPTODATE", table, StringComparison.Ordinal);
        Assert.Contains(target, table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_change_is_refused_naming_the_field_and_nothing_changes_anywhere()
    {
        await using var deployment = new ReplicatedDeployment(replicas: 1);
        await deployment.StartAsync();
        var before = (await deployment.Master.CliAsync("config", "show", "--json")).ShouldSucceed().StandardOutput;
        var revisionBefore = Applied(await deployment.StatusAsync(), deployment.Replicas[0].Fqdn);

        var refused = await deployment.Master.CliAsync("topology", "node", "add", "--fqdn", "fe9.parley.test", "--ip", "127.0.0.9", "--pool", "no-such-pool.parley.test");

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("topology.nodes[", refused.StandardError, StringComparison.Ordinal);
        Assert.Contains(".pool", refused.StandardError, StringComparison.Ordinal);
        Assert.Equal(before, (await deployment.Master.CliAsync("config", "show", "--json")).ShouldSucceed().StandardOutput);
        await Task.Delay(2000);
        Assert.Equal(revisionBefore, Applied(await deployment.StatusAsync(), deployment.Replicas[0].Fqdn));
    }

    [Fact]
    public async Task A_killed_replica_raises_1017_retries_and_catches_up_after_restart_with_a_recovery_event()
    {
        await using var deployment = new ReplicatedDeployment(replicas: 2);
        await deployment.StartAsync();
        var victim = deployment.Replicas[0];

        await victim.KillAsync();
        var killedAt = Stopwatch.StartNew();
        (await deployment.Master.CliAsync("domain", "add", "later.parley.test")).ShouldSucceed();

        var unreachable = await deployment.WaitForEventAsync(deployment.Master, 1017, m => m.Contains(victim.Fqdn, StringComparison.Ordinal), FaultWithin);
        output.WriteLine($"1017 {killedAt.Elapsed.TotalSeconds:0.0} s after the kill: {unreachable.GetProperty("message").GetString()}");
        Assert.Contains($"{victim.Address}:{victim.ReplicaPort}", unreachable.GetProperty("message").GetString(), StringComparison.Ordinal);
        await deployment.WaitUpToDateAsync(TimeSpan.FromSeconds(10), deployment.Master, deployment.Replicas[1]);

        // Retries continue: the failure count grows while the node is down.
        var first = Failures(await deployment.StatusAsync(), victim.Fqdn);
        await Task.Delay(2500);
        Assert.True(Failures(await deployment.StatusAsync(), victim.Fqdn) > first, "the file transfer agent stopped retrying");
        Assert.Single(await deployment.Master.EventsAsync(1017));

        await victim.StartAsync();
        await deployment.WaitUpToDateAsync(TimeSpan.FromSeconds(15), victim);
        await deployment.WaitForEventAsync(deployment.Master, 1020, m => m.Contains(victim.Fqdn, StringComparison.Ordinal), FaultWithin);
        Assert.Contains("later.parley.test", (await victim.CliAsync("domain", "list")).ShouldSucceed().StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replica_with_a_certificate_for_another_host_raises_1015_naming_both_and_recovers_with_the_right_one()
    {
        await using var deployment = new ReplicatedDeployment(replicas: 1);
        var replica = deployment.Replicas[0];
        var (wrongCertificate, wrongKey) = deployment.Certificates.Issue("wrong-host", "other.parley.test", ReplicatedDeployment.CertificateDomains);
        replica.WriteBootstrap(wrongCertificate, wrongKey, deployment.Certificates.CaPath, ReplicatedDeployment.Domain);
        await replica.StartAsync();
        await deployment.Master.StartAsync();
        await deployment.PublishTopologyAsync();

        var mismatch = await deployment.WaitForEventAsync(deployment.Master, 1015, m => m.Contains($"host={replica.Fqdn}", StringComparison.Ordinal), FaultWithin);
        var message = mismatch.GetProperty("message").GetString()!;
        output.WriteLine(message);
        Assert.Contains("CN=other.parley.test", message, StringComparison.Ordinal);
        Assert.Contains("Unable to match host/cluster against certificate", message, StringComparison.Ordinal);

        await replica.KillAsync();
        var (certificate, key) = deployment.Certificates.Issue(replica.Fqdn, replica.Fqdn, ReplicatedDeployment.CertificateDomains);
        replica.WriteBootstrap(certificate, key, deployment.Certificates.CaPath, ReplicatedDeployment.Domain);
        await replica.StartAsync();
        await deployment.WaitUpToDateAsync(TimeSpan.FromSeconds(15), replica);
        await deployment.WaitForEventAsync(deployment.Master, 1020, m => m.Contains(replica.Fqdn, StringComparison.Ordinal), FaultWithin);
    }

    [Fact]
    public async Task A_replica_store_that_cannot_be_written_raises_1034_naming_the_path_and_recovers()
    {
        await using var deployment = new ReplicatedDeployment(replicas: 1);
        await deployment.StartAsync();
        var replica = deployment.Replicas[0];

        // Root ignores file modes (chmod would not deny anything here), so deny for real: a regular file where the
        // store must write its revisions directory. mkdir/open then fail with ENOTDIR for any account.
        var revisions = Path.Combine(replica.DataDirectory, "xds-replica", "revisions");
        Directory.Delete(revisions, recursive: true);
        await File.WriteAllTextAsync(revisions, "in the way");
        (await deployment.Master.CliAsync("domain", "add", "later.parley.test")).ShouldSucceed();

        var onReplica = await deployment.WaitForEventAsync(replica, 1034, m => m.Contains("xds-replica", StringComparison.Ordinal), FaultWithin);
        var onMaster = await deployment.WaitForEventAsync(deployment.Master, 1034, m => m.Contains(replica.Fqdn, StringComparison.Ordinal), FaultWithin);
        output.WriteLine(onReplica.GetProperty("message").GetString());
        output.WriteLine(onMaster.GetProperty("message").GetString());
        Assert.Contains(Path.Combine(replica.DataDirectory, "xds-replica"), onMaster.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("later.parley.test", (await replica.CliAsync("domain", "list")).ShouldSucceed().StandardOutput, StringComparison.Ordinal);

        File.Delete(revisions);
        await deployment.WaitUpToDateAsync(TimeSpan.FromSeconds(15), replica);
        await deployment.WaitForEventAsync(deployment.Master, 1020, m => m.Contains(replica.Fqdn, StringComparison.Ordinal), FaultWithin);
    }

    [Fact]
    public async Task A_tampered_snapshot_pushed_by_hand_is_rejected_with_an_event_and_not_applied()
    {
        await using var deployment = new ReplicatedDeployment(replicas: 1);
        await deployment.StartAsync();
        var replica = deployment.Replicas[0];
        var revisions = Path.Combine(replica.DataDirectory, "xds-replica", "revisions");
        var held = Directory.GetFiles(revisions, "*.snapshot").OrderBy(f => f.Length).ThenBy(f => f, StringComparer.Ordinal).Last();
        var bytes = await File.ReadAllBytesAsync(held);
        // Same length, so the payload length still matches and only the hash can tell.
        var text = System.Text.Encoding.UTF8.GetString(bytes).Replace("\"example.com\"", "\"exampla.com\"", StringComparison.Ordinal);
        Assert.NotEqual(System.Text.Encoding.UTF8.GetString(bytes), text);

        using var client = MasterClient(deployment);
        using var response = await client.PutAsync($"https://{replica.Address}:{replica.ReplicaPort}/replication/v1/snapshot",
            new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(text)));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("hashMismatch", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        await deployment.WaitForEventAsync(replica, 1040, m => m.Contains("HashMismatch", StringComparison.Ordinal), FaultWithin);
        Assert.DoesNotContain("exampla.com", (await replica.CliAsync("domain", "list")).ShouldSucceed().StandardOutput, StringComparison.Ordinal);
        await deployment.WaitUpToDateAsync(TimeSpan.FromSeconds(5), replica);
    }

    [Fact]
    public async Task With_the_master_stopped_xmpp_and_sip_go_on_and_a_replica_reports_how_stale_it_is()
    {
        await using var deployment = new ReplicatedDeployment(replicas: 3);
        await deployment.StartAsync();
        foreach (var replica in deployment.Replicas)
        {
            (await replica.CliAsync("user", "add", "bob@example.com", "--password", "pw-bob")).ShouldSucceed();
        }

        await deployment.Master.KillAsync();
        await Task.Delay(3000);

        foreach (var replica in deployment.Replicas)
        {
            await using var client = await RawXmppClient.LoginAsync(replica.Address, replica.XmppPort, deployment.Certificates.CaPath, "bob@example.com", "pw-bob");
            Assert.NotNull(client.FullJid);
            var sip = await SipProbe.RegisterStatusAsync(replica.Address, replica.SipPort, "bob", ReplicatedDeployment.Domain, TimeSpan.FromSeconds(5));
            Assert.True(sip == 401, $"REGISTER to {replica.Fqdn} with the master down answered {sip}, expected 401 (digest challenge)\n{deployment.Logs()}");

            var status = (await replica.CliAsync("replication", "status")).ShouldSucceed().StandardOutput;
            output.WriteLine(status);
            Assert.Matches(@"Last heard from master: \d+ s ago", status);
        }
    }

    [Fact]
    public async Task Move_master_hands_the_store_to_another_node_which_then_replicates_with_its_own_key()
    {
        await using var deployment = new ReplicatedDeployment(replicas: 2);
        await deployment.StartAsync();
        var (oldMaster, newMaster, other) = (deployment.Master, deployment.Replicas[0], deployment.Replicas[1]);

        (await oldMaster.CliAsync("replication", "move-master", "--to", newMaster.Fqdn)).ShouldSucceed();

        await deployment.WaitForEventAsync(newMaster, 1030, m => m.Contains(newMaster.Fqdn, StringComparison.Ordinal), FaultWithin);
        await deployment.WaitForEventAsync(oldMaster, 1029, m => m.Contains(newMaster.Fqdn, StringComparison.Ordinal), FaultWithin);
        var refused = await oldMaster.CliAsync("domain", "add", "refused.parley.test");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains(newMaster.Fqdn, refused.StandardError, StringComparison.Ordinal);

        (await newMaster.CliAsync("domain", "add", "moved.parley.test")).ShouldSucceed();
        foreach (var node in new[] { oldMaster, other })
        {
            var deadline = Stopwatch.StartNew();
            while (!(await node.CliAsync("domain", "list")).ShouldSucceed().StandardOutput.Contains("moved.parley.test", StringComparison.Ordinal))
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), $"{node.Fqdn} did not get the new master's change\n{deployment.Logs()}");
                await Task.Delay(300);
            }
        }

        var status = (await newMaster.CliAsync("replication", "status", "--cms")).ShouldSucceed().StandardOutput;
        output.WriteLine(status);
        Assert.Contains($"ActiveMasterFqdn:        {newMaster.Fqdn}", status, StringComparison.Ordinal);
    }

    private static long Applied(System.Text.Json.JsonElement status, string fqdn)
        => status.GetProperty("replicas").EnumerateArray().Single(r => r.GetProperty("fqdn").GetString() == fqdn).GetProperty("appliedRevision").GetInt64();

    private static int Failures(System.Text.Json.JsonElement status, string fqdn)
        => status.GetProperty("replicas").EnumerateArray().Single(r => r.GetProperty("fqdn").GetString() == fqdn).GetProperty("failures").GetInt32();

    /// <summary>An HTTPS client presenting the master's own certificate, as if the master sent the tampered file.</summary>
    private static HttpClient MasterClient(ReplicatedDeployment deployment)
    {
        var directory = deployment.Certificates.Directory;
        using var pem = X509Certificate2.CreateFromPemFile(Path.Combine(directory, deployment.Master.Fqdn + ".pem"), Path.Combine(directory, deployment.Master.Fqdn + ".key"));
        var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        return new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificateContext = SslStreamCertificateContext.Create(certificate, null, offline: true),
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            },
        });
    }
}
