using Parley.Server.Diagnostics;
using Parley.Server.Management.Replication;
using Parley.Server.Management.Replication.Replica;

namespace Parley.Server.Tests.Management.Replica;

public sealed class ReplicaStoreTests : IDisposable
{
    private readonly ReplicaRig _rig = new();

    public void Dispose() => _rig.Dispose();

    [Fact]
    public void Commit_writes_the_revision_file_and_the_current_pointer()
    {
        var store = _rig.NewStore();
        var bytes = _rig.Snapshot(1);

        store.Commit(1, bytes);

        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(_rig.StorePath, "revisions", "1.snapshot")));
        Assert.Equal("1\n", File.ReadAllText(Path.Combine(_rig.StorePath, "current")));
        Assert.Equal(1, store.ReadCommittedRevision());
        Assert.Empty(System.IO.Directory.GetFiles(_rig.StorePath, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Only_the_last_three_revisions_are_kept()
    {
        var store = _rig.NewStore();
        for (var revision = 1; revision <= 5; revision++)
        {
            store.Commit(revision, _rig.Snapshot(revision));
        }

        Assert.Equal([5, 4, 3], store.ListRevisions());
    }

    [Fact]
    public void Load_of_an_empty_data_directory_holds_nothing()
    {
        var loaded = _rig.NewStore().Load(Verify);

        Assert.Null(loaded.Snapshot);
        Assert.False(loaded.FellBack);
        Assert.Empty(_rig.Events.Raised);
    }

    [Fact]
    public void Load_returns_the_committed_revision_verified()
    {
        var store = _rig.NewStore();
        store.Commit(1, _rig.Snapshot(1));
        store.Commit(2, _rig.Snapshot(2));

        var loaded = _rig.NewStore().Load(Verify);

        Assert.Equal(2, loaded.Snapshot!.Signed.Revision);
        Assert.Equal([ReplicaRig.DomainOf(2)], loaded.Snapshot.Configuration.Domains);
        Assert.False(loaded.FellBack);
    }

    [Fact]
    public void Leftover_temp_files_from_a_crash_are_removed_at_load()
    {
        var store = _rig.NewStore();
        store.Commit(1, _rig.Snapshot(1));
        File.WriteAllBytes(Path.Combine(store.RevisionsPath, "2.snapshot.tmp"), _rig.Snapshot(2)[..100]);
        File.WriteAllText(Path.Combine(store.Root, "current.tmp"), "2");
        File.WriteAllText(Path.Combine(store.Root, "status.json.tmp"), "{");

        var loaded = _rig.NewStore().Load(Verify);

        Assert.Equal(1, loaded.Snapshot!.Signed.Revision);
        Assert.Empty(System.IO.Directory.GetFiles(store.Root, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_corrupted_current_revision_falls_back_to_the_newest_older_valid_one_and_says_so()
    {
        var store = _rig.NewStore();
        store.Commit(1, _rig.Snapshot(1));
        store.Commit(2, _rig.Snapshot(2));
        store.Commit(3, _rig.Snapshot(3));
        Corrupt(store.RevisionPath(3));
        Truncate(store.RevisionPath(2));

        var loaded = _rig.NewStore().Load(Verify);

        Assert.Equal(1, loaded.Snapshot!.Signed.Revision);
        Assert.True(loaded.FellBack);
        Assert.Equal(3, loaded.CommittedRevision);
        var raised = _rig.Single(ParleyEvents.Management.ReplicaStoreFellBack.Id);
        Assert.Equal(store.Root, raised.Args[0]);
        Assert.Equal("revision 3", raised.Args[1]);
        Assert.Contains("content hash", (string)raised.Args[2]!);
        Assert.Equal(1L, raised.Args[3]);
    }

    [Fact]
    public void A_missing_current_revision_file_falls_back()
    {
        var store = _rig.NewStore();
        store.Commit(1, _rig.Snapshot(1));
        store.Commit(2, _rig.Snapshot(2));
        File.Delete(store.RevisionPath(2));

        var loaded = _rig.NewStore().Load(Verify);

        Assert.Equal(1, loaded.Snapshot!.Signed.Revision);
        Assert.Contains("missing", (string)_rig.Single(ParleyEvents.Management.ReplicaStoreFellBack.Id).Args[2]!);
    }

    [Fact]
    public void A_revision_signed_by_another_ca_fails_reverification_at_load()
    {
        var store = _rig.NewStore();
        store.Commit(1, _rig.Snapshot(1));
        using var other = new ReplicaRig();
        store.Commit(2, other.Snapshot(2));

        var loaded = _rig.NewStore().Load(Verify);

        Assert.Equal(1, loaded.Snapshot!.Signed.Revision);
        Assert.Contains(nameof(SnapshotRejection.UntrustedSigner), (string)_rig.Single(ParleyEvents.Management.ReplicaStoreFellBack.Id).Args[2]!);
    }

    [Fact]
    public void A_garbled_current_pointer_falls_back_to_the_newest_valid_revision()
    {
        var store = _rig.NewStore();
        store.Commit(1, _rig.Snapshot(1));
        store.Commit(2, _rig.Snapshot(2));
        File.WriteAllText(store.CurrentPath, "\0\0garbage");

        var loaded = _rig.NewStore().Load(Verify);

        Assert.Equal(2, loaded.Snapshot!.Signed.Revision);
        Assert.True(loaded.FellBack);
        Assert.Equal("current", _rig.Single(ParleyEvents.Management.ReplicaStoreFellBack.Id).Args[1]);
    }

    [Fact]
    public void When_no_revision_verifies_the_store_serves_revision_zero_and_says_so()
    {
        var store = _rig.NewStore();
        store.Commit(1, _rig.Snapshot(1));
        Corrupt(store.RevisionPath(1));

        var loaded = _rig.NewStore().Load(Verify);

        Assert.Null(loaded.Snapshot);
        Assert.True(loaded.FellBack);
        Assert.Equal(0, _rig.Single(ParleyEvents.Management.ReplicaStoreFellBack.Id).Args[3]);
    }

    [Fact]
    public void A_read_only_store_refuses_the_commit_naming_the_path_account_and_permission_and_raises_1034()
    {
        var store = _rig.NewStore();
        store.Commit(1, _rig.Snapshot(1));

        ReplicaStoreAccessDeniedException denied;
        using (new ReadOnlyDirectory(store.RevisionsPath))
        {
            denied = Assert.Throws<ReplicaStoreAccessDeniedException>(() => store.Commit(2, _rig.Snapshot(2)));
        }

        Assert.Equal(store.RevisionsPath, denied.Path);
        Assert.Equal(Environment.UserName, denied.Account);
        Assert.StartsWith("write", denied.MissingPermission, StringComparison.Ordinal);
        var raised = _rig.Single(1034);
        Assert.Equal(store.RevisionsPath, raised.Args[0]);
        Assert.Equal(Environment.UserName, raised.Args[1]);
        Assert.Contains(store.RevisionsPath, EventTemplate.Format(raised.Definition.MessageTemplate, raised.Args));
        Assert.Equal(1, _rig.NewStore().ReadCommittedRevision());
    }

    [Fact]
    public void Access_denied_is_reported_once_per_episode_and_its_end_is_announced()
    {
        var store = _rig.NewStore();
        store.Commit(1, _rig.Snapshot(1));
        var restored = 0;
        store.AccessRestored += () => restored++;

        using (new ReadOnlyDirectory(store.RevisionsPath))
        {
            Assert.Throws<ReplicaStoreAccessDeniedException>(() => store.Commit(2, _rig.Snapshot(2)));
            Assert.Throws<ReplicaStoreAccessDeniedException>(() => store.Commit(2, _rig.Snapshot(2)));
        }

        store.Commit(2, _rig.Snapshot(2));

        Assert.Equal(1, _rig.RaisedCount(1034));
        Assert.Equal(1, restored);
    }

    [Fact]
    public void A_file_where_the_store_directory_belongs_is_reported_as_access_denied()
    {
        System.IO.Directory.CreateDirectory(_rig.Data.Path);
        File.WriteAllText(_rig.StorePath, "not a directory");
        var store = _rig.NewStore();

        var denied = Assert.Throws<ReplicaStoreAccessDeniedException>(() => store.Commit(1, _rig.Snapshot(1)));

        Assert.Equal(_rig.StorePath, denied.Path);
        Assert.Contains("a file stands where a directory is expected", denied.MissingPermission);
        Assert.Equal(_rig.StorePath, _rig.Single(1034).Args[0]);
    }

    [Fact]
    public void A_read_only_store_still_loads_its_revision()
    {
        var store = _rig.NewStore();
        store.Commit(1, _rig.Snapshot(1));
        File.WriteAllText(Path.Combine(store.Root, "current.tmp"), "9");

        ReplicaLoadResult loaded;
        using (new ReadOnlyDirectory(store.Root))
        {
            loaded = _rig.NewStore().Load(Verify);
        }

        Assert.Equal(1, loaded.Snapshot!.Signed.Revision);
    }

    [Fact]
    public void Status_is_written_atomically_and_read_back()
    {
        var store = _rig.NewStore();
        var contact = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

        store.WriteStatus(new ReplicaStatusFile { Revision = 4, LastMasterContact = contact, LastError = "x" });

        var read = _rig.NewStore().ReadStatus()!;
        Assert.Equal(4, read.Revision);
        Assert.Equal(contact, read.LastMasterContact);
        Assert.Equal("x", read.LastError);
        Assert.Empty(System.IO.Directory.GetFiles(store.Root, "*.tmp"));
    }

    [Fact]
    public void Local_status_is_read_from_disk_with_staleness()
    {
        var store = _rig.NewStore();
        store.Commit(1, _rig.Snapshot(1));
        var contact = DateTimeOffset.UtcNow.AddMinutes(-3);
        store.WriteStatus(new ReplicaStatusFile { Revision = 1, ContentHash = "sha256:x", LastMasterContact = contact });
        store.Commit(2, _rig.Snapshot(2)); // a crash before status.json caught up

        var status = _rig.NewStore().ReadLocalStatus(contact.AddMinutes(3));

        Assert.Equal(2, status.Revision);
        Assert.StartsWith("sha256:", status.ContentHash);
        Assert.NotEqual("sha256:x", status.ContentHash);
        Assert.Equal(TimeSpan.FromMinutes(3), status.Staleness);
    }

    private VerifiedSnapshot Verify(ReadOnlyMemory<byte> bytes) => _rig.Verifier.Verify(bytes, null);

    private static void Corrupt(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[^10] ^= 0x20;
        File.WriteAllBytes(path, bytes);
    }

    private static void Truncate(string path)
    {
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
    }
}
