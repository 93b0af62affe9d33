using Parley.Server.Diagnostics;
using Parley.Server.Management;
using Parley.Server.Management.Replication;
using Parley.Server.Management.Replication.Replica;
using Parley.Server.Management.Replication.Snapshots;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Management.Replica;

public sealed class ReplicaApplierTests : IDisposable
{
    private readonly ReplicaRig _rig = new();

    public void Dispose() => _rig.Dispose();

    [Fact]
    public async Task Before_any_apply_the_node_holds_revision_zero_with_no_domains()
    {
        using var applier = await _rig.StartedApplierAsync();
        await using var settings = _rig.SettingsFor(applier);

        Assert.Equal(0, settings.Current.Revision);
        Assert.Empty(settings.Current.Domains);
        Assert.Equal(0, applier.Status.AppliedRevision);
        Assert.Null(applier.Held);
    }

    [Fact]
    public async Task Applying_a_snapshot_stores_it_hot_reloads_the_settings_and_raises_the_applied_event()
    {
        using var applier = await _rig.StartedApplierAsync();
        await using var settings = _rig.SettingsFor(applier);
        var changed = new List<DeploymentSnapshot>();
        settings.Changed += changed.Add;

        var report = await applier.ApplyAsync(_rig.Snapshot(1), "cms.example.com", CancellationToken.None);

        Assert.Equal(1, report.AppliedRevision);
        Assert.Equal("fe1.example.com", report.Fqdn);
        Assert.StartsWith("sha256:", report.ContentHash);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddDays(1), report.LastUpdateCreation);
        Assert.NotNull(report.AppliedAt);
        Assert.Null(report.Error);
        Assert.Equal(1, settings.Current.Revision);
        Assert.True(settings.Current.HostsDomain(ReplicaRig.DomainOf(1)));
        Assert.Equal(1, settings.Current.Presence.MaxWatchers);
        Assert.Equal(ReplicaRig.Master, settings.Current.Configuration.Topology.Nodes[0].Fqdn);
        var only = Assert.Single(changed);
        Assert.Same(settings.Current, only);
        var applied = _rig.Single(ParleyEvents.Management.ReplicaRevisionApplied.Id);
        Assert.Equal(1L, applied.Args[0]);
        Assert.Equal(ReplicaRig.Master, applied.Args[1]);
        Assert.Equal("cms.example.com", applied.Args[3]);
        Assert.Equal(1, _rig.NewStore().ReadCommittedRevision());
    }

    [Fact]
    public async Task The_same_revision_again_is_a_no_op_that_still_reports_status()
    {
        using var applier = await _rig.StartedApplierAsync();
        await using var settings = _rig.SettingsFor(applier);
        await applier.ApplyAsync(_rig.Snapshot(1), "m", CancellationToken.None);
        var changes = 0;
        settings.Changed += _ => changes++;

        var report = await applier.ApplyAsync(_rig.Snapshot(1), "m", CancellationToken.None);

        Assert.Equal(1, report.AppliedRevision);
        Assert.Equal(0, changes);
        Assert.Equal(1, _rig.RaisedCount(ParleyEvents.Management.ReplicaRevisionApplied.Id));
        Assert.Equal(0, _rig.RaisedCount(ParleyEvents.Management.SnapshotRejected.Id));
    }

    [Fact]
    public async Task A_revision_file_left_without_a_commit_is_committed_when_the_same_revision_arrives()
    {
        var store = _rig.NewStore();
        System.IO.Directory.CreateDirectory(store.RevisionsPath);
        File.WriteAllBytes(store.RevisionPath(1), _rig.Snapshot(1)); // killed after the rename of the very first apply
        using var applier = await _rig.StartedApplierAsync();
        Assert.Equal(1, applier.Status.AppliedRevision);
        Assert.Null(store.ReadCommittedRevision());

        await applier.ApplyAsync(_rig.Snapshot(1), "m", CancellationToken.None);

        Assert.Equal(1, store.ReadCommittedRevision());
    }

    [Fact]
    public async Task An_older_revision_is_rejected_with_an_event_and_not_applied()
    {
        using var applier = await _rig.StartedApplierAsync();
        await applier.ApplyAsync(_rig.Snapshot(2), "m", CancellationToken.None);

        var rejected = await Assert.ThrowsAsync<SnapshotRejectedException>(() => applier.ApplyAsync(_rig.Snapshot(1), "m", CancellationToken.None));

        Assert.Equal(SnapshotRejection.OlderRevision, rejected.Reason);
        Assert.Equal(2, applier.Status.AppliedRevision);
        Assert.Contains("OlderRevision", applier.Status.Error);
        var raised = _rig.Single(ParleyEvents.Management.SnapshotRejected.Id);
        Assert.Equal("1", raised.Args[0]);
        Assert.Equal(SnapshotRejection.OlderRevision, raised.Args[1]);
    }

    public static TheoryData<string> Damage() => new() { "flip a payload byte", "truncate", "flip a signature byte", "drop the header" };

    [Theory]
    [MemberData(nameof(Damage))]
    public async Task A_tampered_or_truncated_snapshot_is_rejected_with_an_event_and_never_applied(string damage)
    {
        using var applier = await _rig.StartedApplierAsync();
        await using var settings = _rig.SettingsFor(applier);
        await applier.ApplyAsync(_rig.Snapshot(1), "m", CancellationToken.None);
        var bytes = _rig.Snapshot(2);
        var headerEnd = Array.IndexOf(bytes, (byte)'\n', SnapshotFormat.Magic.Length);
        var damaged = damage switch
        {
            "flip a payload byte" => Flip(bytes, bytes.Length - 20),
            "truncate" => bytes[..(bytes.Length - 7)],
            "flip a signature byte" => Flip(bytes, Locate(bytes, "\"signature\":\"") + 15),
            _ => bytes[(headerEnd + 1)..],
        };

        var rejected = await Assert.ThrowsAsync<SnapshotRejectedException>(() => applier.ApplyAsync(damaged, "m", CancellationToken.None));

        var expected = damage switch
        {
            "flip a payload byte" => SnapshotRejection.HashMismatch,
            "truncate" => SnapshotRejection.Truncated,
            "flip a signature byte" => SnapshotRejection.BadSignature,
            _ => SnapshotRejection.Malformed,
        };
        Assert.Equal(expected, rejected.Reason);
        Assert.Equal(1, settings.Current.Revision);
        Assert.Equal(1, _rig.NewStore().ReadCommittedRevision());
        Assert.Equal([1], _rig.NewStore().ListRevisions());
        var raised = _rig.Single(ParleyEvents.Management.SnapshotRejected.Id);
        Assert.Equal(expected, raised.Args[1]);
        Assert.Equal("m", raised.Args[3]);
    }

    [Fact]
    public async Task A_snapshot_signed_by_a_node_that_is_not_the_master_is_rejected()
    {
        using var applier = await _rig.StartedApplierAsync();
        using var impostor = _rig.Ca.IssueNode("fe2.example.com");
        var bytes = new SnapshotWriter(impostor, "fe2.example.com", "1.0.0").Write(1, DateTimeOffset.UtcNow, ReplicaRig.ConfigurationOf(1)).Bytes;

        var rejected = await Assert.ThrowsAsync<SnapshotRejectedException>(() => applier.ApplyAsync(bytes, "fe2", CancellationToken.None));

        Assert.Equal(SnapshotRejection.NotTheMaster, rejected.Reason);
        Assert.Null(applier.Held);
    }

    [Fact]
    public async Task A_snapshot_signed_outside_the_deployment_ca_is_rejected()
    {
        using var applier = await _rig.StartedApplierAsync();
        using var other = new ReplicaRig();

        var rejected = await Assert.ThrowsAsync<SnapshotRejectedException>(() => applier.ApplyAsync(other.Snapshot(1), "x", CancellationToken.None));

        Assert.Equal(SnapshotRejection.UntrustedSigner, rejected.Reason);
        Assert.False(System.IO.Directory.Exists(_rig.StorePath) && _rig.NewStore().ReadCommittedRevision() is not null);
    }

    [Fact]
    public async Task A_restarted_node_loads_its_revision_and_remembers_the_last_master_contact()
    {
        var contact = new DateTimeOffset(2026, 11, 21, 9, 30, 0, TimeSpan.Zero);
        using (var applier = await _rig.StartedApplierAsync())
        {
            await applier.ApplyAsync(_rig.Snapshot(1), "m", CancellationToken.None);
            await applier.ApplyAsync(_rig.Snapshot(2), "m", CancellationToken.None);
            applier.RecordMasterContact(contact);
        }

        using var restarted = await _rig.StartedApplierAsync();
        await using var settings = _rig.SettingsFor(restarted);

        Assert.Equal(2, settings.Current.Revision);
        Assert.Equal(contact, restarted.LastMasterContact);
        Assert.Equal(2, restarted.LocalStatus.Revision);
        Assert.Equal("m", restarted.LocalStatus.ReceivedFrom);
        Assert.NotNull(restarted.LocalStatus.AppliedAt);
        Assert.True(restarted.LocalStatus.Staleness > TimeSpan.Zero);
    }

    [Fact]
    public async Task Concurrent_applies_are_serialised_and_end_on_the_newest_revision()
    {
        using var applier = await _rig.StartedApplierAsync();
        var snapshots = Enumerable.Range(1, 12).Select(r => _rig.Snapshot(r)).ToArray();

        var outcomes = await Task.WhenAll(snapshots.Reverse().Select(bytes => Task.Run(async () =>
        {
            try
            {
                await applier.ApplyAsync(bytes, "m", CancellationToken.None);
                return (SnapshotRejection?)null;
            }
            catch (SnapshotRejectedException e)
            {
                return e.Reason;
            }
        })));

        Assert.All(outcomes.Where(o => o is not null), o => Assert.Equal(SnapshotRejection.OlderRevision, o));
        Assert.Equal(12, applier.Status.AppliedRevision);
        var loaded = _rig.NewStore().Load(bytes => _rig.Verifier.Verify(bytes, null));
        Assert.Equal(12, loaded.Snapshot!.Signed.Revision);
        Assert.Empty(System.IO.Directory.GetFiles(_rig.StorePath, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_reader_hammering_current_never_sees_fields_of_two_revisions()
    {
        using var applier = await _rig.StartedApplierAsync();
        await using var settings = _rig.SettingsFor(applier);
        var snapshots = Enumerable.Range(1, 40).Select(r => _rig.Snapshot(r)).ToArray();
        using var stop = new CancellationTokenSource();
        var reads = 0L;
        var mixes = new List<string>();

        var reader = Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var current = settings.Current;
                Interlocked.Increment(ref reads);
                if (current.Revision == 0)
                {
                    continue;
                }

                if (!current.HostsDomain(ReplicaRig.DomainOf(current.Revision)) || current.Domains.Count != 1
                    || current.Presence.MaxWatchers != current.Revision || current.Presence.MaxContactListSize != current.Revision
                    || current.Configuration.Domains.Single() != ReplicaRig.DomainOf(current.Revision) || current.Configuration.Presence.MaxWatchers != current.Revision)
                {
                    mixes.Add($"revision {current.Revision}: domains {string.Join(",", current.Domains)}, watchers {current.Presence.MaxWatchers}");
                }
            }
        }, TaskCreationOptions.LongRunning);

        foreach (var bytes in snapshots)
        {
            // Interleave for sure: the reader reads between every two applies (two cores may be busy elsewhere).
            var before = Interlocked.Read(ref reads);
            SpinWait.SpinUntil(() => Interlocked.Read(ref reads) > before + 10 || reader.IsCompleted, TimeSpan.FromSeconds(10));
            await applier.ApplyAsync(bytes, "m", CancellationToken.None);
        }

        await stop.CancelAsync();
        await reader;
        Assert.Empty(mixes);
        Assert.True(reads > 400, $"only {reads} reads");
        Assert.Equal(40, settings.Current.Revision);
    }

    [Fact]
    public async Task A_revision_committed_by_another_process_is_picked_up_by_refresh()
    {
        using var node = await _rig.StartedApplierAsync();
        await using var settings = _rig.SettingsFor(node);
        await node.ApplyAsync(_rig.Snapshot(1), "m", CancellationToken.None);
        var changed = new List<long>();
        settings.Changed += s => changed.Add(s.Revision);

        using (var cli = await _rig.StartedApplierAsync())
        {
            await cli.ApplyAsync(_rig.Snapshot(2), "import", CancellationToken.None);
        }

        var current = await settings.RefreshAsync(CancellationToken.None);

        Assert.Equal(2, current.Revision);
        Assert.Equal([2L], changed);
        Assert.Equal(2, node.Status.AppliedRevision);
        Assert.Equal(current, await settings.RefreshAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_read_only_store_refuses_the_apply_with_1034_and_keeps_the_held_revision()
    {
        using var applier = await _rig.StartedApplierAsync();
        await using var settings = _rig.SettingsFor(applier);
        await applier.ApplyAsync(_rig.Snapshot(1), "m", CancellationToken.None);

        ReplicaStoreAccessDeniedException denied;
        using (new ReadOnlyDirectory(applier.Store.RevisionsPath))
        {
            denied = await Assert.ThrowsAsync<ReplicaStoreAccessDeniedException>(() => applier.ApplyAsync(_rig.Snapshot(2), "m", CancellationToken.None));
        }

        Assert.Equal(applier.Store.RevisionsPath, denied.Path);
        Assert.Equal(1, settings.Current.Revision);
        Assert.Contains(applier.Store.RevisionsPath, applier.Status.Error);
        Assert.Equal(applier.Store.RevisionsPath, _rig.Single(1034).Args[0]);

        await applier.ApplyAsync(_rig.Snapshot(2), "m", CancellationToken.None);

        Assert.Equal(2, settings.Current.Revision);
        Assert.Null(applier.Status.Error);
        Assert.Equal(1, _rig.RaisedCount(ParleyEvents.Management.ReplicaStoreAccessRestored.Id));
    }

    [Fact]
    public async Task Staleness_is_warned_once_and_the_return_of_the_master_is_announced()
    {
        var time = new FixedTimeProvider(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));
        using var rig = new ReplicaRig(time);
        using var applier = rig.NewApplier(staleAfter: TimeSpan.FromMinutes(5));
        await applier.InitializeAsync(CancellationToken.None);
        applier.RecordMasterContact(time.Now);

        time.Now += TimeSpan.FromMinutes(4);
        applier.CheckStaleness();
        Assert.Equal(0, rig.RaisedCount(ParleyEvents.Management.ReplicaStale.Id));

        time.Now += TimeSpan.FromMinutes(2);
        applier.CheckStaleness();
        applier.CheckStaleness();
        var stale = rig.Single(ParleyEvents.Management.ReplicaStale.Id);
        Assert.Equal("6 min 0 s", stale.Args[0]);
        Assert.True(applier.LocalStatus.IsStale(TimeSpan.FromMinutes(5)));

        applier.RecordMasterContact(time.Now);
        Assert.Equal("6 min 0 s", rig.Single(ParleyEvents.Management.ReplicaMasterContactRestored.Id).Args[0]);
        Assert.Equal(TimeSpan.Zero, applier.LocalStatus.Staleness);
    }

    private static byte[] Flip(byte[] bytes, int index)
    {
        var copy = bytes.ToArray();
        copy[index] ^= 0x01;
        return copy;
    }

    private static int Locate(byte[] bytes, string text) => System.Text.Encoding.ASCII.GetString(bytes).IndexOf(text, StringComparison.Ordinal);
}
