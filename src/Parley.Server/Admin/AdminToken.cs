using System.Security.Cryptography;
using System.Text;

namespace Parley.Server.Admin;

/// <summary>
/// The bearer token of the admin API: created on first start in &lt;data&gt;/admin/token, readable only by the
/// service account (0600), written atomically so a crash never leaves half a token.
/// </summary>
public sealed class AdminToken
{
    public const string DirectoryName = "admin";
    public const string FileName = "token";

    private readonly byte[] _value;

    private AdminToken(string path, string value)
    {
        FilePath = path;
        Value = value;
        _value = Encoding.ASCII.GetBytes(value);
    }

    public string FilePath { get; }

    public string Value { get; }

    public static AdminToken LoadOrCreate(string dataDirectory)
    {
        var directory = Path.Combine(dataDirectory, DirectoryName);
        var path = Path.Combine(directory, FileName);
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length >= 32)
            {
                return new AdminToken(path, existing);
            }
        }

        System.IO.Directory.CreateDirectory(directory);
        var value = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = OperatingSystem.IsWindows() ? null : UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            stream.Write(Encoding.ASCII.GetBytes(value + "\n"));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        return new AdminToken(path, value);
    }

    /// <summary>Constant-time check of an Authorization header value ("Bearer &lt;token&gt;").</summary>
    public bool Accepts(string? authorization)
    {
        const string scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = Encoding.ASCII.GetBytes(authorization[scheme.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(presented, _value);
    }
}
