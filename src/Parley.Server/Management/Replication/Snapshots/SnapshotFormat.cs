using System.Text.Json;
using System.Text.Json.Serialization;
using Parley.Server.Management.Documents;

namespace Parley.Server.Management.Replication.Snapshots;

/// <summary>Snapshot file format version 1 (docs/design/cms.md "Snapshot file format"): magic line, header line, payload.</summary>
public static class SnapshotFormat
{
    public const int Version = 1;

    /// <summary>The largest snapshot file accepted or written.</summary>
    public const int MaxBytes = 64 * 1024 * 1024;

    public const string HashPrefix = "sha256:";

    public const string Rs256 = "RS256";

    public const string Es256 = "ES256";

    public static ReadOnlySpan<byte> Magic => "PARLEY-SNAPSHOT 1\n"u8;

    internal static JsonSerializerOptions HeaderOptions { get; } = CreateHeaderOptions();

    /// <summary>ISO-8601 UTC with milliseconds, the precision revisions are stored with.</summary>
    internal static string FormatTime(DateTimeOffset time)
        => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static JsonSerializerOptions CreateHeaderOptions()
    {
        var options = new JsonSerializerOptions(DocumentJson.Options) { WriteIndented = false };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

/// <summary>The header line: how long the payload is, its hash, and who signed it.</summary>
internal sealed record SnapshotHeader(int PayloadLength, string ContentHash, string SignatureAlgorithm, string Signature, string Signer);

/// <summary>The payload: properties in this order are the canonical form.</summary>
internal sealed record SnapshotPayload(
    int Format,
    long Revision,
    string Created,
    string Master,
    string ProductVersion,
    [property: JsonPropertyName("documents")] DeploymentConfiguration Documents);
