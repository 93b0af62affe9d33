using System.Globalization;
using Microsoft.Extensions.Logging;
using Parley.Server.Diagnostics;

namespace Parley.Server.Management.Replication.Transfer;

/// <summary>
/// File-share mode, master side (bootstrap <c>cms.fileShare</c> on the master): each new revision is written to the
/// share as <c>&lt;N&gt;.snapshot</c> (temp file, fsync, rename) and then <c>latest</c> ("N\n", the commit point),
/// which replicas with <c>cms.fileShare</c> poll. The last 3 snapshots are kept. A share that cannot be written is
/// the seed's 1034 on the file transfer agent (path, account, permission), once per episode.
/// </summary>
public sealed class FileShareSnapshotWriter(string directory, ISnapshotSource source, IEventLog events, ILogger<FileShareSnapshotWriter> logger) : IAsyncDisposable
{
    public const string LatestFileName = "latest";
    private const int Kept = 3;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private bool _failing;

    public string Directory => directory;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        source.RevisionCommitted += OnRevision;
        await WriteLatestAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        source.RevisionCommitted -= OnRevision;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _gate.WaitAsync().ConfigureAwait(false);
        _gate.Release();
        _stop.Dispose();
    }

    /// <summary>Writes the latest snapshot unless the share already names it. Never throws for share failures.</summary>
    public async Task WriteLatestAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var latest = await source.LatestAsync(cancellationToken).ConfigureAwait(false);
            var name = latest.Revision.ToString(CultureInfo.InvariantCulture);
            var snapshotPath = Path.Combine(directory, name + ".snapshot");
            var latestPath = Path.Combine(directory, LatestFileName);
            var current = await Current(latestPath).ConfigureAwait(false);
            if (current == latest.Revision && File.Exists(snapshotPath))
            {
                return;
            }

            await WriteDurablyAsync(snapshotPath, latest.Bytes, cancellationToken).ConfigureAwait(false);
            await WriteDurablyAsync(latestPath, System.Text.Encoding.ASCII.GetBytes(name + "\n"), cancellationToken).ConfigureAwait(false);
            Prune(latest.Revision);
            if (_failing)
            {
                _failing = false;
                TransferLog.FileShareRecovered(logger, directory);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (!_failing)
            {
                _failing = true;
                events.Raise(ParleyEvents.Management.ReplicaStoreAccessDenied, directory, Environment.UserName, "write",
                    $"the file transfer agent could not write the file share: {e.Message}");
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private void OnRevision(long revision) => _ = Task.Run(async () =>
    {
        try
        {
            await WriteLatestAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    });

    private static async Task<long?> Current(string latestPath)
    {
        try
        {
            var text = await File.ReadAllTextAsync(latestPath).ConfigureAwait(false);
            return long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var revision) ? revision : null;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private static async Task WriteDurablyAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp";
        await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
        {
            await file.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }

        // The rename is the commit: a reader sees the old file or the complete new one.
        File.Move(temporary, path, overwrite: true);
    }

    private void Prune(long latest)
    {
        foreach (var file in System.IO.Directory.EnumerateFiles(directory, "*.snapshot"))
        {
            if (long.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var revision) && revision <= latest - Kept)
            {
                File.Delete(file);
            }
        }
    }
}
