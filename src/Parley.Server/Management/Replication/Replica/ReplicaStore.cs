using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Parley.Server.Diagnostics;
using Parley.Server.Management.Replication.Snapshots;

namespace Parley.Server.Management.Replication.Replica;

/// <summary>
/// The replica store on disk, <c>&lt;data&gt;/xds-replica/</c> (docs/design/cms.md "Replica store layout"):
/// <c>revisions/&lt;N&gt;.snapshot</c>, the <c>current</c> pointer (the commit point) and <c>status.json</c>.
/// Every replace is temp file + fsync + rename + directory fsync, so a kill at any step leaves the old or the new
/// <c>current</c>, each naming a complete file. Commits from several processes (the server and
/// <c>parley replication import</c>) are serialised by an advisory lock on <c>.lock</c>.
/// </summary>
public sealed class ReplicaStore
{
    public const string RevisionsDirectoryName = "revisions";
    public const string CurrentFileName = "current";
    public const string StatusFileName = "status.json";
    public const string LockFileName = ".lock";
    public const string SnapshotExtension = ".snapshot";
    public const string TemporarySuffix = ".tmp";

    private const int ReadOnlyFileSystem = 30; // EROFS
    private const int NotADirectory = 20; // ENOTDIR
    private const int FileExists = 17; // EEXIST: a file where a directory must be created
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LockRetry = TimeSpan.FromMilliseconds(25);
    private static readonly JsonSerializerOptions StatusJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly ReplicaStoreOptions _options;
    private readonly IEventLog _events;
    private readonly ILogger _logger;
    private readonly Lock _reportGate = new();
    private bool _accessDeniedReported;

    public ReplicaStore(ReplicaStoreOptions options, IEventLog events, ILogger<ReplicaStore> logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RetainedRevisions, 1);
        _options = options;
        _events = events;
        _logger = logger;
        Root = options.StorePath;
        RevisionsPath = Path.Combine(Root, RevisionsDirectoryName);
        CurrentPath = Path.Combine(Root, CurrentFileName);
        StatusPath = Path.Combine(Root, StatusFileName);
    }

    public string Root { get; }

    public string RevisionsPath { get; }

    public string CurrentPath { get; }

    public string StatusPath { get; }

    /// <summary>Raised after a write succeeded following an access-denied episode (event 1034 earlier).</summary>
    public event Action? AccessRestored;

    public string RevisionPath(long revision) => Path.Combine(RevisionsPath, revision.ToString(CultureInfo.InvariantCulture) + SnapshotExtension);

    /// <summary>
    /// Removes leftovers of interrupted writes, then loads the committed revision and verifies it again with
    /// <paramref name="verify"/> (which throws <see cref="SnapshotRejectedException"/>). A committed revision that is
    /// missing or fails verification is skipped for the newest older one that passes, and event 1042 is raised.
    /// Throws <see cref="ReplicaStoreAccessDeniedException"/> (event 1034) when the store cannot be read.
    /// </summary>
    public ReplicaLoadResult Load(Func<ReadOnlyMemory<byte>, VerifiedSnapshot> verify)
    {
        if (!System.IO.Directory.Exists(Root))
        {
            return ReplicaLoadResult.Empty;
        }

        RemoveLeftovers();
        var (committed, pointerProblem) = ReadPointer();
        var onDisk = ListRevisions();
        if (committed is null && pointerProblem is null && onDisk.Count == 0)
        {
            return ReplicaLoadResult.Empty;
        }

        // The committed revision first, then older ones. Without a usable pointer every file is a candidate: they
        // were all verified before they were written, and an uncommitted one is only ever the newer of old and new.
        var candidates = committed is { } n ? [n, .. onDisk.Where(r => r < n)] : onDisk;
        string? firstProblem = pointerProblem;
        foreach (var revision in candidates)
        {
            var problem = TryLoad(revision, verify, out var snapshot, out var fileTime);
            if (snapshot is not null)
            {
                var fellBack = firstProblem is not null;
                if (fellBack)
                {
                    _events.Raise(ParleyEvents.Management.ReplicaStoreFellBack, Root, committed is { } c ? $"revision {c}" : CurrentFileName, firstProblem, revision);
                }

                return new ReplicaLoadResult(snapshot, committed, fileTime, fellBack);
            }

            ReplicaLog.RevisionUnusable(_logger, Root, revision.ToString(CultureInfo.InvariantCulture), problem!);
            firstProblem ??= $"revision {revision}: {problem}";
        }

        _events.Raise(ParleyEvents.Management.ReplicaStoreFellBack, Root, committed is { } last ? $"revision {last}" : CurrentFileName,
            firstProblem ?? "no revision file", 0);
        return new ReplicaLoadResult(null, committed, null, FellBack: true);
    }

    /// <summary>What <c>current</c> names now (null: nothing committed). Cheap: used to notice commits by another process.</summary>
    public long? ReadCommittedRevision() => ReadPointer().Revision;

    /// <summary>
    /// Stores <paramref name="bytes"/> (already verified) as revision <paramref name="revision"/> and makes it
    /// current, then prunes old revisions. Throws <see cref="ReplicaStoreAccessDeniedException"/> (event 1034).
    /// </summary>
    public void Commit(long revision, ReadOnlyMemory<byte> bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(revision);
        Guard(Root, "write (create the directory)", () =>
        {
            System.IO.Directory.CreateDirectory(Root);
            System.IO.Directory.CreateDirectory(RevisionsPath);
        });
        using (AcquireLock())
        {
            var final = RevisionPath(revision);
            var temporary = final + TemporarySuffix;
            Guard(RevisionsPath, "write", () => DurableFile.WriteAndSync(temporary, bytes.Span));
            Checkpoint(ReplicaFaultStep.AfterTempWrite, revision);
            Guard(RevisionsPath, "write", () =>
            {
                DurableFile.Replace(temporary, final);
                DurableFile.SyncDirectory(RevisionsPath);
            });
            Checkpoint(ReplicaFaultStep.AfterRename, revision);

            var pointerTemporary = CurrentPath + TemporarySuffix;
            Guard(Root, "write", () => DurableFile.WriteAndSync(pointerTemporary, Encoding.ASCII.GetBytes(revision.ToString(CultureInfo.InvariantCulture) + "\n")));
            Checkpoint(ReplicaFaultStep.AfterCurrentTemp, revision);
            Guard(Root, "write", () =>
            {
                DurableFile.Replace(pointerTemporary, CurrentPath);
                DurableFile.SyncDirectory(Root);
            });
            Checkpoint(ReplicaFaultStep.AfterCommit, revision);
            ReplicaLog.Committed(_logger, Root, revision);
            Prune(revision);
        }

        WriteSucceeded();
    }

    /// <summary>status.json, or null when there is none or it is unreadable (it is advisory: the snapshot is the truth).</summary>
    public ReplicaStatusFile? ReadStatus()
    {
        try
        {
            return File.Exists(StatusPath) ? JsonSerializer.Deserialize<ReplicaStatusFile>(File.ReadAllBytes(StatusPath), StatusJson) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            ReplicaLog.StatusUnreadable(_logger, e, StatusPath);
            return null;
        }
    }

    /// <summary>Replaces status.json atomically. Throws <see cref="ReplicaStoreAccessDeniedException"/> (event 1034, once per episode).</summary>
    public void WriteStatus(ReplicaStatusFile status)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(status, StatusJson);
        var temporary = StatusPath + TemporarySuffix;
        Guard(Root, "write (create the directory)", () => System.IO.Directory.CreateDirectory(Root));
        Guard(Root, "write", () =>
        {
            DurableFile.WriteAndSync(temporary, bytes);
            DurableFile.Replace(temporary, StatusPath);
            DurableFile.SyncDirectory(Root);
        });
        WriteSucceeded();
    }

    /// <summary>
    /// What the store holds, read from disk without verification (for <c>parley replication status</c> in another
    /// process than the node). When status.json lags <c>current</c> (a crash between the two writes) the hash comes
    /// from the revision file's header and the apply time from its modification time.
    /// </summary>
    public LocalReplicaStatus ReadLocalStatus(DateTimeOffset now)
    {
        var committed = System.IO.Directory.Exists(Root) ? ReadPointer().Revision ?? 0 : 0;
        var status = ReadStatus() ?? new ReplicaStatusFile();
        var contact = status.LastMasterContact;
        var staleness = now - contact;
        if (status.Revision == committed)
        {
            return new LocalReplicaStatus(Root, committed, status.ContentHash, status.Master, status.LastUpdateCreation, status.AppliedAt,
                status.ReceivedFrom, contact, staleness, status.LastError, status.LastErrorAt);
        }

        string? hash = null;
        DateTimeOffset? appliedAt = null;
        var path = RevisionPath(committed);
        if (committed > 0 && File.Exists(path))
        {
            var bytes = Guard(path, "read", () => File.ReadAllBytes(path));
            hash = SnapshotEnvelope.Inspect(bytes, out var envelope) == SnapshotEnvelope.Shape.Complete ? envelope.ContentHash : null;
            appliedAt = File.GetLastWriteTimeUtc(path);
        }

        return new LocalReplicaStatus(Root, committed, hash, null, null, appliedAt, null, contact, staleness, status.LastError, status.LastErrorAt);
    }

    /// <summary>Revision numbers with a file under revisions/, newest first.</summary>
    public IReadOnlyList<long> ListRevisions()
    {
        if (!System.IO.Directory.Exists(RevisionsPath))
        {
            return [];
        }

        var files = Guard(RevisionsPath, "read", () => System.IO.Directory.GetFiles(RevisionsPath, "*" + SnapshotExtension));
        return files
            .Select(file => long.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0)
            .Where(n => n > 0)
            .OrderDescending()
            .ToArray();
    }

    private string? TryLoad(long revision, Func<ReadOnlyMemory<byte>, VerifiedSnapshot> verify, out VerifiedSnapshot? snapshot, out DateTimeOffset? fileTime)
    {
        snapshot = null;
        fileTime = null;
        var path = RevisionPath(revision);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return $"{path} is missing";
        }

        if (info.Length > SnapshotFormat.MaxBytes)
        {
            return $"{path} is {info.Length} bytes, over the {SnapshotFormat.MaxBytes}-byte limit";
        }

        var bytes = Guard(path, "read", () => File.ReadAllBytes(path));
        switch (SnapshotEnvelope.Inspect(bytes, out var envelope))
        {
            case SnapshotEnvelope.Shape.Incomplete:
                return $"{path} is truncated ({bytes.Length} bytes)";
            case SnapshotEnvelope.Shape.Malformed:
                return $"{path} is not a complete snapshot file";
        }

        if (!envelope.HashMatches(bytes))
        {
            return $"{path} does not match its content hash {envelope.ContentHash} (the file was damaged or edited)";
        }

        try
        {
            var verified = verify(bytes);
            if (verified.Signed.Revision != revision)
            {
                return $"{path} holds revision {verified.Signed.Revision}, not {revision}";
            }

            snapshot = verified;
            fileTime = info.LastWriteTimeUtc;
            return null;
        }
        catch (SnapshotRejectedException e)
        {
            return $"{path} fails verification ({e.Reason}): {e.Detail}";
        }
    }

    private (long? Revision, string? Problem) ReadPointer()
    {
        if (!File.Exists(CurrentPath))
        {
            return (null, null);
        }

        var text = Guard(CurrentPath, "read", () => File.ReadAllText(CurrentPath, Encoding.ASCII));
        return long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var revision) && revision > 0
            ? (revision, null)
            : (null, $"{CurrentPath} does not hold a revision number");
    }

    private void RemoveLeftovers()
    {
        // Another process in the middle of a commit owns its temp files: clean only when nobody holds the lock.
        FileStream? held;
        try
        {
            held = TryAcquireLock();
        }
        catch (ReplicaStoreAccessDeniedException)
        {
            // A read-only store still loads (event 1034 was raised); the leftovers wait for write access.
            return;
        }

        using var _ = held;
        if (held is null)
        {
            return;
        }

        foreach (var directory in new[] { Root, RevisionsPath }.Where(System.IO.Directory.Exists))
        {
            foreach (var file in System.IO.Directory.GetFiles(directory, "*" + TemporarySuffix))
            {
                try
                {
                    File.Delete(file);
                    ReplicaLog.LeftoverRemoved(_logger, Root, Path.GetFileName(file));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // A read-only store still loads; the next commit reports the access problem.
                    ReplicaLog.CleanupFailed(_logger, e, Root, file);
                }
            }
        }
    }

    private void Prune(long committed)
    {
        // Newer files than the commit are uncommitted leftovers of a crash; keep the newest N up to the commit.
        var keep = ListRevisions().Where(r => r <= committed).Take(_options.RetainedRevisions).ToHashSet();
        foreach (var revision in ListRevisions().Where(r => !keep.Contains(r)))
        {
            try
            {
                File.Delete(RevisionPath(revision));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                ReplicaLog.CleanupFailed(_logger, e, Root, RevisionPath(revision));
            }
        }
    }

    private FileStream AcquireLock()
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (TryAcquireLock() is { } held)
            {
                return held;
            }

            if (deadline.Elapsed > LockTimeout)
            {
                throw new IOException($"The replica store {Root} stayed locked by another process for {LockTimeout.TotalSeconds:0} s (another `parley replication import`, or a node writing it). Retry when it is done.");
            }

            Thread.Sleep(LockRetry);
        }
    }

    private FileStream? TryAcquireLock()
    {
        var path = Path.Combine(Root, LockFileName);
        return Guard(Root, "write", () =>
        {
            try
            {
                // FileShare.None is an advisory flock(LOCK_EX) on Linux: held until disposed or the process dies.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException && !IsAccessProblem(e))
            {
                return null;
            }
        });
    }

    private void Checkpoint(ReplicaFaultStep step, long revision)
    {
        if (_options.FaultStep != step)
        {
            return;
        }

        ReplicaLog.FaultInjected(_logger, ReplicaFaultSteps.Name(step), revision);
        // SIGKILL, as `kill -9` would: no finally blocks, no flush, exactly the crash being simulated.
        using (var self = Process.GetCurrentProcess())
        {
            self.Kill();
        }

        Environment.FailFast($"replica fault injection at {ReplicaFaultSteps.Name(step)}");
    }

    private void Guard(string path, string permission, Action action) => Guard<object?>(path, permission, () =>
    {
        action();
        return null;
    });

    private T Guard<T>(string path, string permission, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (IsAccessProblem(e))
        {
            var missing = e is IOException { HResult: ReadOnlyFileSystem }
                ? permission + " (the file system is mounted read-only)"
                : e is IOException { HResult: NotADirectory or FileExists }
                    ? permission + " (a file stands where a directory is expected)"
                    : permission;
            var denied = new ReplicaStoreAccessDeniedException(path, Environment.UserName, missing, e);
            ReportDenied(denied);
            throw denied;
        }
    }

    private static bool IsAccessProblem(Exception e)
        => e is UnauthorizedAccessException || e is IOException { HResult: ReadOnlyFileSystem or NotADirectory or FileExists };

    private void ReportDenied(ReplicaStoreAccessDeniedException denied)
    {
        lock (_reportGate)
        {
            if (_accessDeniedReported)
            {
                return;
            }

            _accessDeniedReported = true;
        }

        _events.Raise(ParleyEvents.Management.ReplicaStoreAccessDenied, denied.Path, denied.Account, denied.MissingPermission, denied.InnerException?.Message);
    }

    private void WriteSucceeded()
    {
        lock (_reportGate)
        {
            if (!_accessDeniedReported)
            {
                return;
            }

            _accessDeniedReported = false;
        }

        AccessRestored?.Invoke();
    }
}
