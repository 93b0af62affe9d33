using System.Runtime.InteropServices;

namespace Parley.Server.Management.Replication.Replica;

/// <summary>
/// The POSIX recipe for a crash-safe replace: write a temp file and fsync it, rename it over the target (atomic),
/// then fsync the directory so the rename itself survives a power cut.
/// </summary>
internal static class DurableFile
{
    private const int ReadOnly = 0; // O_RDONLY: opening a directory for fsync needs no more
    private const int InvalidArgument = 22; // EINVAL: the file system cannot fsync directories; nothing to do

    /// <summary>Creates or truncates <paramref name="path"/>, writes <paramref name="content"/> and flushes it to the disk.</summary>
    public static void WriteAndSync(string path, ReadOnlySpan<byte> content)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        stream.Write(content);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>rename(2): readers see the old file or the new one, never a mix.</summary>
    public static void Replace(string temporaryPath, string path) => File.Move(temporaryPath, path, overwrite: true);

    public static void SyncDirectory(string directory)
    {
        var fd = Open(directory, ReadOnly);
        if (fd < 0)
        {
            throw ErrnoException(Marshal.GetLastPInvokeError(), $"opening directory {directory} to fsync it");
        }

        try
        {
            if (FSync(fd) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno != InvalidArgument)
                {
                    throw ErrnoException(errno, $"fsync of directory {directory}");
                }
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static Exception ErrnoException(int errno, string what)
    {
        var text = Marshal.GetPInvokeErrorMessage(errno);
        // Same mapping as .NET's own file APIs, so callers classify both alike.
        return errno is 1 or 13
            ? new UnauthorizedAccessException($"{what}: {text}")
            : new IOException($"{what}: {text}", errno);
    }

    // DllImport rather than LibraryImport: the generated marshalling would need AllowUnsafeBlocks for the path.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int FSync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
