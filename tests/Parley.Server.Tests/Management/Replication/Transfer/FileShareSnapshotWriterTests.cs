using Microsoft.Extensions.Logging.Abstractions;
using Parley.Server.Management.Replication.Replica;
using Parley.Server.Management.Replication.Transfer;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Management.Replication.Transfer;

/// <summary>File-share mode: the master's writer puts each revision on the share; a replica's share poller applies it.</summary>
public sealed class FileShareSnapshotWriterTests
{
    [Fact]
    public async Task Each_revision_lands_on_the_share_and_a_polling_replica_applies_it()
    {
        using var share = new TempDirectory();
        using var ca = new TestDeploymentCa();
        var source = new TestSnapshotSource(ca.IssueNode(TransferRig.MasterFqdn), TransferRig.MasterFqdn);
        source.Commit(new() { Domains = ["example.com"] });
        var events = new RecordingEventLog();
        await using var writer = new FileShareSnapshotWriter(share.Path, source, events, NullLogger<FileShareSnapshotWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);

        source.Commit(new() { Domains = ["example.com", "share.example"] });
        await writer.WriteLatestAsync(CancellationToken.None);

        Assert.Equal("2\n", await File.ReadAllTextAsync(Path.Combine(share.Path, "latest")));
        Assert.True(File.Exists(Path.Combine(share.Path, "2.snapshot")));
        Assert.Empty(System.IO.Directory.GetFiles(share.Path, "*.tmp"));
        await using var replica = new ReplicaNode(ca, "fe1.test.example", System.Net.IPAddress.Parse("127.0.0.2"), TransferRig.MasterFqdn);
        await replica.Applier.InitializeAsync(CancellationToken.None);
        await using var poller = new FileShareReplicaSource(new FileShareReplicaOptions { Directory = share.Path }, replica.Applier, TimeProvider.System,
            NullLogger<FileShareReplicaSource>.Instance);
        Assert.Equal(FileSharePollOutcome.Applied, await poller.PollOnceAsync(CancellationToken.None));
        Assert.Contains("share.example", replica.Applier.Held!.Configuration.Domains);
    }

    [Fact]
    public async Task A_share_that_cannot_be_written_raises_1034_once_naming_it()
    {
        using var temp = new TempDirectory();
        using var ca = new TestDeploymentCa();
        var notADirectory = temp.Combine("share");
        await File.WriteAllTextAsync(notADirectory, "a file where the share should be");
        var source = new TestSnapshotSource(ca.IssueNode(TransferRig.MasterFqdn), TransferRig.MasterFqdn);
        source.Commit(new() { Domains = ["example.com"] });
        var events = new RecordingEventLog();
        await using var writer = new FileShareSnapshotWriter(notADirectory, source, events, NullLogger<FileShareSnapshotWriter>.Instance);

        await writer.StartAsync(CancellationToken.None);
        await writer.WriteLatestAsync(CancellationToken.None);

        var denied = Assert.Single(events.Raised, e => e.Definition.Id == 1034);
        Assert.Equal(notADirectory, denied.Args[0]);
        Assert.Equal("write", denied.Args[2]);
    }
}
