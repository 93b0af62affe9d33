using Parley.Server.Diagnostics;
using Parley.Server.Tests.Cli;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Management.Replica;

/// <summary><c>parley replication import</c> in process: the same checks and events as a push.</summary>
public sealed class ReplicationImportCommandTests : IDisposable
{
    private readonly ReplicaRig _rig = new();

    public void Dispose() => _rig.Dispose();

    private string Data => _rig.Data.Combine("data");

    [Fact]
    public async Task A_valid_snapshot_is_applied_and_again_is_already_held()
    {
        var file = WriteSnapshot(1);
        var ca = _rig.Ca.WriteCa(_rig.Data.Combine("ca"));

        var applied = await CliRunner.RunAsync(_rig.Data.Path, "replication", "import", "--file", file, "--ca", ca, "--data", Data);
        var again = await CliRunner.RunAsync(_rig.Data.Path, "replication", "import", "--file", file, "--ca", ca, "--data", Data);

        Assert.True(applied.ExitCode == 0, applied.Error);
        Assert.Contains("Applied revision 1", applied.Output);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("already held", again.Output);
        Assert.Equal(1, await StoredEventCount(ParleyEvents.Management.ReplicaRevisionApplied.Id));
    }

    [Fact]
    public async Task The_default_ca_is_the_nodes_private_ca_in_the_data_directory()
    {
        _rig.Ca.WriteCa(Path.Combine(Data, "certs"));

        var applied = await CliRunner.RunAsync(_rig.Data.Path, "replication", "import", "--file", WriteSnapshot(1), "--data", Data);

        Assert.True(applied.ExitCode == 0, applied.Error);
    }

    [Fact]
    public async Task A_tampered_snapshot_is_refused_with_exit_1_an_event_and_nothing_applied()
    {
        var file = WriteSnapshot(1);
        var bytes = File.ReadAllBytes(file);
        bytes[^4] ^= 0x01;
        File.WriteAllBytes(file, bytes);

        var result = await CliRunner.RunAsync(_rig.Data.Path, "replication", "import", "--file", file, "--ca", _rig.Ca.WriteCa(_rig.Data.Combine("ca")), "--data", Data);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("HashMismatch", result.Error);
        Assert.Contains("Nothing was applied", result.Error);
        Assert.Equal(1, await StoredEventCount(ParleyEvents.Management.SnapshotRejected.Id));
        Assert.False(File.Exists(Path.Combine(Data, "xds-replica", "current")));
    }

    [Fact]
    public async Task A_read_only_replica_store_is_refused_with_exit_3_naming_the_path_and_event_1034()
    {
        var ca = _rig.Ca.WriteCa(_rig.Data.Combine("ca"));
        Assert.Equal(0, (await CliRunner.RunAsync(_rig.Data.Path, "replication", "import", "--file", WriteSnapshot(1), "--ca", ca, "--data", Data)).ExitCode);
        var revisions = Path.Combine(Data, "xds-replica", "revisions");

        CliResult result;
        using (new ReadOnlyDirectory(revisions))
        {
            result = await CliRunner.RunAsync(_rig.Data.Path, "replication", "import", "--file", WriteSnapshot(2), "--ca", ca, "--data", Data);
        }

        Assert.Equal(3, result.ExitCode);
        Assert.Contains(revisions, result.Error);
        Assert.Contains("chown", result.Error);
        Assert.Equal(1, await StoredEventCount(1034));
    }

    private string WriteSnapshot(long revision)
    {
        var path = _rig.Data.Combine($"{revision}.snapshot");
        File.WriteAllBytes(path, _rig.Snapshot(revision));
        return path;
    }

    private async Task<int> StoredEventCount(int id)
    {
        await using var store = await TestStore.OpenAsync(Data);
        return (await store.Events.QueryAsync(id, null, 100, CancellationToken.None)).Count;
    }
}
