using System.Security.Cryptography;
using Parley.Server.Storage;

namespace Parley.Server.Sip.Core;

/// <summary>
/// The per-node key that signs digest nonces, kept in &lt;data&gt;/sip/nonce.key (0600) so nonces stay valid across a
/// restart and clients do not all re-authenticate at once. Created atomically on first use.
/// </summary>
public sealed class NonceSecret
{
    public const string DirectoryName = "sip";
    public const string FileName = "nonce.key";
    private const int KeyBytes = 32;

    public NonceSecret(ParleyDatabase database)
        : this(database.DataDirectory)
    {
    }

    /// <summary>The key of the node whose data directory is <paramref name="dataDirectory"/> (tests, tools).</summary>
    public NonceSecret(string dataDirectory)
    {
        FilePath = Path.Combine(dataDirectory, DirectoryName, FileName);
        Key = LoadOrCreate(FilePath);
    }

    public string FilePath { get; }

    internal byte[] Key { get; }

    private static byte[] LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            var existing = File.ReadAllBytes(path);
            if (existing.Length == KeyBytes)
            {
                return existing;
            }
        }

        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = RandomNumberGenerator.GetBytes(KeyBytes);
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            stream.Write(key);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        return key;
    }
}
