using Microsoft.Extensions.Logging.Abstractions;
using Parley.Server.Management.Documents;
using Parley.Server.Management.Replication.Snapshots;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Management.Snapshots;

public sealed class MasterReplicatorTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempDirectory _temp = new();
    private readonly TestDeploymentCa _ca = new();

    public void Dispose()
    {
        _ca.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task Latest_snapshot_is_built_once_per_revision_and_verifies()
    {
        await using var store = await TestStore.OpenAsync(_temp.Path);
        var revision = await store.Cms.ChangeAsync(_ => SampleConfigurations.Small(), TestStore.Actor, "initial", None);
        await using var replicator = Replicator(store, TimeSpan.FromMinutes(10));

        var first = await replicator.LatestAsync(None);
        var second = await replicator.LatestAsync(None);

        Assert.Same(first, second);
        Assert.Equal(revision, first.Revision);
        var verified = new SnapshotVerifier(_ca.PublicCertificate, TimeProvider.System).Verify(first.Bytes, SampleConfigurations.Master);
        Assert.Equal(["example.com", "example.org"], verified.Configuration.Domains);
        Assert.Equal((await store.Cms.GetLatestAsync(None)).Created, verified.Signed.Created);
    }

    [Fact]
    public async Task Own_change_is_announced_at_once_and_another_process_change_by_polling()
    {
        await using var store = await TestStore.OpenAsync(_temp.Path);
        await store.Cms.ChangeAsync(_ => SampleConfigurations.Small(), TestStore.Actor, "initial", None);
        await using var replicator = Replicator(store, TimeSpan.FromMilliseconds(100));
        var announced = new System.Collections.Concurrent.BlockingCollection<long>();
        replicator.RevisionCommitted += announced.Add;
        await replicator.StartAsync(None);

        var own = await store.Cms.ChangeAsync(c => c with { Domains = [.. c.Domains, "own.example"] }, TestStore.Actor, "own", None);
        Assert.True(announced.TryTake(out var first, TimeSpan.FromSeconds(5)));
        Assert.Equal(own, first);

        await using (var cli = await TestStore.OpenAsync(_temp.Path))
        {
            var other = await cli.Cms.ChangeAsync(c => c with { Domains = [.. c.Domains, "cli.example"] }, "cli:root", "from the CLI", None);
            Assert.True(announced.TryTake(out var second, TimeSpan.FromSeconds(5)));
            Assert.Equal(other, second);
        }

        Assert.Contains("cli.example", new SnapshotVerifier(_ca.PublicCertificate, TimeProvider.System)
            .Verify((await replicator.LatestAsync(None)).Bytes, SampleConfigurations.Master).Configuration.Domains);
        Assert.False(announced.TryTake(out _, TimeSpan.FromMilliseconds(300)));
    }

    private MasterReplicator Replicator(Parley.Server.Storage.ParleyStore store, TimeSpan poll)
    {
        var certificate = _ca.IssueNode(SampleConfigurations.Master);
        return new MasterReplicator(store.Cms, () => certificate, SampleConfigurations.Master, store.Events, TimeProvider.System,
            new MasterReplicatorOptions { PollInterval = poll }, NullLogger<MasterReplicator>.Instance);
    }
}
