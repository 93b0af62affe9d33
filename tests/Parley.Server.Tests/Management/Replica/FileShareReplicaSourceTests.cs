using Microsoft.Extensions.Logging.Abstractions;
using Parley.Server.Diagnostics;
using Parley.Server.Management.Replication.Replica;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Management.Replica;

public sealed class FileShareReplicaSourceTests : IDisposable
{
    private readonly ReplicaRig _rig = new();
    private readonly TempDirectory _share = new();

    public void Dispose()
    {
        _share.Dispose();
        _rig.Dispose();
    }

    [Fact]
    public async Task Nothing_happens_before_the_master_writes_latest()
    {
        using var applier = await _rig.StartedApplierAsync();
        await using var source = Source(applier);

        Assert.Equal(FileSharePollOutcome.NoLatest, await source.PollOnceAsync(CancellationToken.None));
        Assert.Null(applier.LastMasterContact);
    }

    [Fact]
    public async Task A_new_revision_on_the_share_is_applied_and_the_master_counted_as_heard_from()
    {
        using var applier = await _rig.StartedApplierAsync();
        await using var source = Source(applier);
        Publish(1, _rig.Snapshot(1));

        Assert.Equal(FileSharePollOutcome.Applied, await source.PollOnceAsync(CancellationToken.None));
        Assert.Equal(1, applier.Status.AppliedRevision);
        Assert.Equal(File.GetLastWriteTimeUtc(_share.Combine("latest")), applier.LastMasterContact!.Value.UtcDateTime);
        Assert.Contains(_share.Path, (string)_rig.Single(ParleyEvents.Management.ReplicaRevisionApplied.Id).Args[3]!);

        Assert.Equal(FileSharePollOutcome.UpToDate, await source.PollOnceAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_half_written_snapshot_is_retried_at_the_next_poll_without_an_event()
    {
        using var applier = await _rig.StartedApplierAsync();
        await using var source = Source(applier);
        var bytes = _rig.Snapshot(1);
        Publish(1, bytes[..(bytes.Length / 2)]);

        Assert.Equal(FileSharePollOutcome.Incomplete, await source.PollOnceAsync(CancellationToken.None));
        Assert.Equal(0, applier.Status.AppliedRevision);
        Assert.Equal(0, _rig.RaisedCount(ParleyEvents.Management.SnapshotRejected.Id));

        File.WriteAllBytes(_share.Combine("1.snapshot"), bytes);
        Assert.Equal(FileSharePollOutcome.Applied, await source.PollOnceAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_file_that_stays_incomplete_is_finally_rejected_as_truncated()
    {
        using var applier = await _rig.StartedApplierAsync();
        await using var source = Source(applier, incompletePolls: 2);
        var bytes = _rig.Snapshot(1);
        Publish(1, bytes[..(bytes.Length - 5)]);

        Assert.Equal(FileSharePollOutcome.Incomplete, await source.PollOnceAsync(CancellationToken.None));
        Assert.Equal(FileSharePollOutcome.Incomplete, await source.PollOnceAsync(CancellationToken.None));
        Assert.Equal(FileSharePollOutcome.Rejected, await source.PollOnceAsync(CancellationToken.None));
        Assert.Equal(FileSharePollOutcome.Rejected, await source.PollOnceAsync(CancellationToken.None));

        Assert.Equal(1, _rig.RaisedCount(ParleyEvents.Management.SnapshotRejected.Id));
    }

    [Fact]
    public async Task A_tampered_snapshot_on_the_share_is_rejected_once_and_not_retried_until_rewritten()
    {
        using var applier = await _rig.StartedApplierAsync();
        await using var source = Source(applier);
        var bytes = _rig.Snapshot(1);
        var tampered = bytes.ToArray();
        tampered[^3] ^= 0x01;
        Publish(1, tampered);

        Assert.Equal(FileSharePollOutcome.Rejected, await source.PollOnceAsync(CancellationToken.None));
        Assert.Equal(FileSharePollOutcome.Rejected, await source.PollOnceAsync(CancellationToken.None));
        Assert.Equal(1, _rig.RaisedCount(ParleyEvents.Management.SnapshotRejected.Id));
        Assert.Equal(0, applier.Status.AppliedRevision);

        File.WriteAllBytes(_share.Combine("1.snapshot"), bytes);
        File.SetLastWriteTimeUtc(_share.Combine("1.snapshot"), DateTime.UtcNow.AddSeconds(1));
        Assert.Equal(FileSharePollOutcome.Applied, await source.PollOnceAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_half_written_latest_is_retried()
    {
        using var applier = await _rig.StartedApplierAsync();
        await using var source = Source(applier);
        File.WriteAllText(_share.Combine("latest"), "");

        Assert.Equal(FileSharePollOutcome.Incomplete, await source.PollOnceAsync(CancellationToken.None));
    }

    private FileShareReplicaSource Source(ReplicaApplier applier, int incompletePolls = 5)
        => new(new FileShareReplicaOptions { Directory = _share.Path, IncompletePollsBeforeRejecting = incompletePolls }, applier, TimeProvider.System,
            NullLogger<FileShareReplicaSource>.Instance);

    private void Publish(long revision, byte[] bytes)
    {
        File.WriteAllBytes(_share.Combine($"{revision}.snapshot"), bytes);
        File.WriteAllText(_share.Combine("latest"), $"{revision}\n");
    }
}
