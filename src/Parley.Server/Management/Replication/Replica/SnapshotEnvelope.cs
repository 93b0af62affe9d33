using System.Security.Cryptography;
using System.Text.Json;
using Parley.Server.Management.Replication.Snapshots;

namespace Parley.Server.Management.Replication.Replica;

/// <summary>
/// The framing of a snapshot file without the cryptography: is it complete, and does the payload match its hash?
/// Lets the file-share source tell a half-written file (retry next poll) from a bad one, and the store describe a
/// revision file cheaply. Acceptance is always <see cref="ISnapshotVerifier"/>'s job.
/// </summary>
internal readonly record struct SnapshotEnvelope(int HeaderEnd, int PayloadLength, string ContentHash)
{
    public enum Shape
    {
        Complete,

        /// <summary>Shorter than its header says (or no header line yet): a writer may still be at work.</summary>
        Incomplete,

        /// <summary>Longer than announced, not a snapshot, or an unreadable header: waiting will not help.</summary>
        Malformed,
    }

    public static Shape Inspect(ReadOnlySpan<byte> bytes, out SnapshotEnvelope envelope)
    {
        envelope = default;
        var magic = SnapshotFormat.Magic;
        if (bytes.Length < magic.Length)
        {
            return magic.StartsWith(bytes) ? Shape.Incomplete : Shape.Malformed;
        }

        if (!bytes.StartsWith(magic))
        {
            return Shape.Malformed;
        }

        var newline = bytes[magic.Length..].IndexOf((byte)'\n');
        if (newline < 0)
        {
            return Shape.Incomplete;
        }

        var headerEnd = magic.Length + newline + 1;
        if (!TryReadHeader(bytes[magic.Length..(headerEnd - 1)], out var payloadLength, out var contentHash))
        {
            return Shape.Malformed;
        }

        envelope = new SnapshotEnvelope(headerEnd, payloadLength, contentHash);
        var actual = bytes.Length - headerEnd;
        return actual == payloadLength ? Shape.Complete : actual < payloadLength ? Shape.Incomplete : Shape.Malformed;
    }

    /// <summary>True when the payload hashes to the header's content hash (the file is what was written).</summary>
    public bool HashMatches(ReadOnlySpan<byte> bytes)
        => string.Equals(ContentHash, SnapshotFormat.HashPrefix + Convert.ToHexStringLower(SHA256.HashData(bytes.Slice(HeaderEnd, PayloadLength))), StringComparison.Ordinal);

    private static bool TryReadHeader(ReadOnlySpan<byte> line, out int payloadLength, out string contentHash)
    {
        payloadLength = 0;
        contentHash = "";
        try
        {
            var reader = new Utf8JsonReader(line);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("payloadLength", out var length) || !length.TryGetInt32(out payloadLength) || payloadLength < 0
                || !root.TryGetProperty("contentHash", out var hash) || hash.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            contentHash = hash.GetString()!;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
